// Validates Kubernetes objects against Kubernetes' own OpenAPI schemas, with the npm package kubernetes-models.
// Usage: node validate-manifests.js objects.json   (a JSON array of objects; NODE_PATH names the package's folder)
// Prints one line per object that fails, and exits 1 when any does.
"use strict";
const fs = require("fs");

const objects = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
let failures = 0;
for (const object of objects) {
  const name = `${object.kind} ${object.metadata && object.metadata.namespace ? object.metadata.namespace + "/" : ""}${
    object.metadata && object.metadata.name
  }`;
  let models;
  try {
    models = require(`kubernetes-models/${object.apiVersion}`);
  } catch (e) {
    console.log(`${name}: no schema for apiVersion ${object.apiVersion}`);
    failures++;
    continue;
  }
  const Model = models[object.kind];
  if (typeof Model !== "function") {
    console.log(`${name}: no kind ${object.kind} in ${object.apiVersion}`);
    failures++;
    continue;
  }
  try {
    new Model(object).validate();
  } catch (e) {
    console.log(`${name}: ${e.message}`);
    failures++;
  }
}
console.log(`${objects.length - failures} of ${objects.length} object(s) valid`);
process.exit(failures === 0 ? 0 : 1);

// EMP's web dashboard: sign-in, the apps, one app's page and the service graph, fed by the server's event stream.
// Text from the server goes into the page through textContent only; chart tooltips escape it with encodeHTML.

const $ = (selector) => document.querySelector(selector);
const DASH = '—';
const VIEWS = ['login', 'apps', 'app', 'graph'];
const TITLES = {login: 'Sign in', apps: 'Apps', graph: 'Service graph', app: 'App'};
const COLORS = {
  p50: '#5b7fc7', p95: '#1d4f9c', p99: '#7b3fa8', target: '#b3261e', rate: '#1b7046', errors: '#c0392b',
  desired: '#33373d', ready: '#c26a00', scale: '#a04a00', edge: '#6b7280',
  ok: '#2e8b57', near: '#d99a00', over: '#d0443e', none: '#9aa0a8', foreign: '#d3d6db',
};
const LATENCY_WORDS = {ok: 'within target', near: 'near target', over: 'over target', none: ''};

const state = {
  session: null, route: null, stream: null, streamUrl: null, retryTimer: null, checkingSession: false,
  apps: null, graph: null, app: null, history: null, events: null, shownDesired: null,
  chart: null, graphChart: null, logsTimer: null, logsLoading: null, busy: false,
};

// ---------- formatting

const txt = (value) => (value == null ? '' : String(value));
const arrayOf = (value) => (Array.isArray(value) ? value : []);
const num = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

function fmtMs(value) {
  const v = num(value);
  if (v == null) return DASH;
  return (Math.abs(v) >= 10 ? String(Math.round(v)) : v.toFixed(1)) + ' ms';
}

const fmtRate = (value) => (num(value) ?? 0).toFixed(1) + ' req/s';

function fmtPercent(fraction) {
  const v = num(fraction);
  if (v == null) return DASH;
  const p = v * 100;
  return (p === 0 ? '0' : p < 10 ? p.toFixed(1) : String(Math.round(p))) + ' %';
}

function fmtTime(value) {
  const d = new Date(value);
  if (value == null || Number.isNaN(d.getTime())) return value == null ? DASH : String(value);
  return d.toDateString() === new Date().toDateString() ? d.toLocaleTimeString() : d.toLocaleString();
}

const replicasText = (r) => `${num(r?.ready) ?? 0}/${num(r?.desired) ?? 0}`;
const releaseText = (release) => (release == null ? DASH : typeof release === 'number' ? 'v' + release : txt(release));
const cssToken = (value) => txt(value).toLowerCase().replace(/[^a-z0-9-]/g, '') || 'unknown';

function latencyClass(p95, target) {
  if (num(p95) == null || !(num(target) > 0)) return 'none';
  const ratio = p95 / target;
  return ratio <= 0.8 ? 'ok' : ratio <= 1 ? 'near' : 'over';
}

function latencyText(p95, target) {
  if (num(p95) == null) return DASH;
  return num(target) == null ? fmtMs(p95) : `${fmtMs(p95)} / ${fmtMs(target)}`;
}

// ---------- DOM helpers

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === 'class') node.className = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child != null) node.append(child instanceof Node ? child : String(child));
  return node;
}

function attempt(fn, fallback) {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** The URL as an absolute http(s) address, or null (no javascript: or data: links from user text). */
function safeUrl(url) {
  const parsed = url ? attempt(() => new URL(String(url), location.href), null) : null;
  return parsed && (parsed.protocol === 'http:' || parsed.protocol === 'https:') ? parsed.href : null;
}

const appHref = (id) => '#/apps/' + encodeURIComponent(id);

/** Writes text (as a link when href is given) into a cell, reusing its link so keyboard focus survives updates. */
function setCell(cell, text, href, external) {
  const link = cell.firstElementChild;
  if (!href) {
    if (link || cell.textContent !== text) cell.textContent = text;
    return;
  }
  let a = link && link.tagName === 'A' ? link : null;
  if (!a) cell.replaceChildren((a = el('a')));
  if (a.getAttribute('href') !== href) a.setAttribute('href', href);
  if (external) Object.assign(a, {target: '_blank', rel: 'noopener noreferrer'});
  if (a.textContent !== text) a.textContent = text;
}

/** Keeps one row per key, in order, updating rows in place rather than re-creating them (focus is kept). */
function syncRows(tbody, items, keyOf, build, update) {
  const existing = new Map([...tbody.querySelectorAll(':scope > tr[data-key]')].map((tr) => [tr.dataset.key, tr]));
  const rows = items.map((item) => {
    const key = keyOf(item);
    let tr = existing.get(key);
    if (tr) existing.delete(key);
    else (tr = build()).dataset.key = key;
    update(tr, item);
    return tr;
  });
  let cursor = tbody.firstChild; // rows already in place are not moved
  for (const tr of rows) {
    if (tr === cursor) cursor = cursor.nextSibling;
    else tbody.insertBefore(tr, cursor);
  }
  while (tbody.childNodes.length > rows.length) tbody.lastChild.remove();
}

function rowOf(classes, header) {
  const tr = el('tr');
  classes.forEach((cls, i) => tr.append(i === 0 && header ? el('th', {class: cls, scope: 'row'}) : el('td', {class: cls})));
  return tr;
}

const emptyRow = (span, text) => el('tr', {class: 'empty'}, el('td', {colspan: span}, text));
const timeEl = (iso) => el('time', {datetime: iso == null ? null : txt(iso)}, fmtTime(iso));
const setError = (message) => { $('#error').textContent = message || ''; };

function announce(message) {
  const status = $('#status');
  status.textContent = '';
  setTimeout(() => { status.textContent = message; }, 30); // a fresh change, so the same words are read again
}

// ---------- the REST API

const apiError = (status, message) => Object.assign(new Error(message), {status});

function problemText(problem, fallback) {
  if (typeof problem?.detail === 'string' && problem.detail) return problem.detail;
  if (typeof problem?.title === 'string' && problem.title) return problem.title;
  return fallback;
}

async function api(method, url, body) {
  const headers = {Accept: 'application/json, application/problem+json'};
  if (method !== 'GET' && state.session) headers['X-EMP-CSRF'] = state.session.csrf;
  const init = {method, headers, credentials: 'same-origin'};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(url, init).catch(() => {
    throw apiError(0, 'Cannot reach the EMP server; check the connection and try again.');
  });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw apiError(res.status, problemText(data, `${res.status} ${res.statusText}`.trim()));
  return data;
}

/** Shows an error; a 401 means the session is gone, so back to the sign-in form. */
function fail(err) {
  if (err?.status === 401) showLogin(err.message || 'Your session has ended; sign in again.');
  else setError(err?.message || String(err));
}

// ---------- session

async function boot() {
  wire();
  try {
    startSession(await api('GET', '/ui/session'));
  } catch (err) {
    showLogin(err.status === 401 ? '' : err.message);
  }
}

function showLogin(message) {
  closeStream();
  stopLogs();
  Object.assign(state, {session: null, route: null, apps: null, graph: null});
  clearAppState();
  $('#nav').hidden = $('#user-box').hidden = true;
  showView('login');
  setError(message);
  $('#username').focus();
}

function startSession(session) {
  state.session = session;
  $('#user-name').textContent = txt(session.username);
  $('#user-role').textContent = txt(session.role);
  $('#nav').hidden = $('#user-box').hidden = false;
  $('#apps').classList.toggle('with-owner', session.role === 'operator');
  setError('');
  route(false);
}

async function onLogin(event) {
  event.preventDefault();
  const [button, password] = [$('#login-button'), $('#password')];
  button.disabled = true;
  try {
    const session = await api('POST', '/ui/session', {username: $('#username').value.trim(), password: password.value});
    password.value = '';
    startSession(session);
  } catch (err) {
    setError(err.message);
    password.value = '';
    password.focus();
  } finally {
    button.disabled = false;
  }
}

async function onLogout() {
  try {
    await api('DELETE', '/ui/session');
  } catch (err) {
    if (err.status !== 401) return setError(err.message);
  }
  showLogin('');
  announce('Signed out.');
}

// ---------- routing

function parseRoute() {
  const hash = location.hash.replace(/^#/, '');
  const match = /^\/apps\/([^/]+)\/?$/.exec(hash);
  const id = match ? attempt(() => decodeURIComponent(match[1]), null) : null;
  if (id != null) return {view: 'app', id};
  return hash === '/graph' ? {view: 'graph'} : {view: 'apps'};
}

function route(moveFocus) {
  if (!state.session) return;
  const next = (state.route = parseRoute());
  setError('');
  $('#status').textContent = '';
  stopLogs();
  clearAppState();
  showView(next.view);
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.nav === next.view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  openStream(next.view === 'app' ? next.id : null);
  if (next.view === 'apps') renderApps();
  else if (next.view === 'graph') renderGraph();
  else openApp();
  if (moveFocus) $(`#${next.view}-view h1`)?.focus();
}

function showView(name) {
  for (const view of VIEWS) $(`#${view}-view`).hidden = view !== name;
  document.title = `${TITLES[name]} · EMP`;
}

function resizeCharts() {
  if (state.chart && !$('#app-view').hidden) state.chart.resize();
  if (state.graphChart && !$('#graph-view').hidden) {
    state.graphChart.resize();
    renderGraph(); // edge labels only where there is room
  }
}

// ---------- the live stream

const STREAM_HANDLERS = {
  apps(data) { state.apps = arrayOf(data); if (state.route?.view === 'apps') renderApps(); },
  graph(data) { state.graph = data && typeof data === 'object' ? data : null; if (state.route?.view === 'graph') renderGraph(); },
  app(data) { state.app = data; renderApp(); },
  history(data) { state.history = data; renderChart(); },
  events(data) { state.events = arrayOf(data); renderEvents(); renderChart(); },
  problem(data) { // the app is not there (or not the user's), or the session ended: the server ends the stream
    closeStream();
    setLive('offline', 'offline');
    setError(problemText(data, 'The live stream ended.'));
    api('GET', '/ui/session').catch((err) => err.status === 401 && state.session && showLogin('Your session has ended; sign in again.'));
    if (state.route?.view !== 'app') return;
    stopLogs();
    $('#app-body').hidden = true;
    $('#app-title').textContent = 'App not found';
  },
};

function setLive(kind, text) {
  const live = $('#live');
  live.textContent = text;
  live.className = 'live live-' + kind;
}

function openStream(appId) {
  const url = appId == null ? '/v1/stream' : '/v1/stream?app=' + encodeURIComponent(appId);
  if (state.stream && state.streamUrl === url && state.stream.readyState !== EventSource.CLOSED) return;
  closeStream();
  const source = new EventSource(url);
  Object.assign(state, {stream: source, streamUrl: url});
  setLive('connecting', 'connecting…');
  source.onopen = () => setLive('open', 'live');
  source.onerror = () => {
    if (state.stream !== source) return;
    setLive('reconnecting', 'reconnecting…');
    checkSession(source);
  };
  for (const [name, handle] of Object.entries(STREAM_HANDLERS)) {
    source.addEventListener(name, (event) => {
      const data = attempt(() => JSON.parse(event.data), undefined);
      if (state.stream === source && data !== undefined) handle(data);
    });
  }
}

function closeStream() {
  clearTimeout(state.retryTimer);
  state.stream?.close();
  Object.assign(state, {stream: null, streamUrl: null});
}

/** After a stream error: a 401 means sign in again; a stream the browser gave up on is reopened a little later. */
async function checkSession(source) {
  if (state.checkingSession) return;
  state.checkingSession = true;
  try {
    await api('GET', '/ui/session');
    // A stream refused at its start (another user's app, or one removed) says why only to a plain request.
    if (state.route?.view === 'app') await api('GET', '/v1/apps/' + encodeURIComponent(state.route.id));
    if (state.stream !== source || source.readyState !== EventSource.CLOSED) return;
    clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(() => {
      if (state.stream !== source) return;
      state.stream = null;
      openStream(state.route?.view === 'app' ? state.route.id : null);
    }, 5000);
  } catch (err) {
    if (err.status === 401 && state.session) showLogin('Your session has ended; sign in again.');
    else if (err.status === 404 && state.stream === source) STREAM_HANDLERS.problem({detail: err.message});
  } finally {
    state.checkingSession = false;
  }
}

// ---------- apps view

const APP_CELLS = ['name', 'state', 'replicas', 'url', 'p95', 'rate', 'owner-col'];

function renderApps() {
  const tbody = $('#apps tbody');
  const apps = state.apps;
  if (apps == null) return tbody.replaceChildren(emptyRow(APP_CELLS.length, 'Loading…'));
  if (!apps.length) {
    return tbody.replaceChildren(emptyRow(APP_CELLS.length, 'No apps yet. Run emp deploy with an app spec to deploy your first one.'));
  }
  const sorted = [...apps].sort((a, b) => txt(a.owner).localeCompare(txt(b.owner)) || txt(a.name).localeCompare(txt(b.name)));
  syncRows(tbody, sorted, (a) => txt(a.id), () => rowOf(APP_CELLS, true), updateAppRow);
}

function updateAppRow(tr, app) {
  const [name, st, replicas, url, p95, rate, owner] = tr.cells;
  tr.dataset.app = txt(app.name);
  setCell(name, txt(app.name), appHref(app.id));
  setCell(st, txt(app.state) || DASH);
  st.className = 'state state-' + cssToken(app.state);
  setCell(replicas, replicasText(app.replicas));
  setCell(url, txt(app.url) || DASH, safeUrl(app.url), true);
  const level = latencyClass(app.p95_ms, app.target_p95_ms);
  const text = latencyText(app.p95_ms, app.target_p95_ms);
  setCell(p95, text);
  p95.className = 'p95 lat-' + level;
  p95.title = LATENCY_WORDS[level];
  p95.setAttribute('aria-label', level !== 'none' ? `${text}, ${LATENCY_WORDS[level]}` : text === DASH ? 'no traffic' : text);
  setCell(rate, fmtRate(app.rate));
  setCell(owner, txt(app.owner));
}

// ---------- one app's page

function clearAppState() {
  Object.assign(state, {app: null, history: null, events: null, shownDesired: null});
}

function openApp() {
  $('#app-body').hidden = false;
  $('#app-title').textContent = 'Loading…';
  for (const id of ['#app-state', '#app-replicas', '#app-url', '#app-release', '#app-owner']) $(id).textContent = DASH;
  $('#app-message').hidden = true;
  $('#scale-replicas').value = $('#scale-hint').textContent = '';
  $('#instances tbody').replaceChildren();
  $('#events').replaceChildren();
  $('#logs').textContent = 'Loading logs…';
  renderChart();
  loadLogs();
  state.logsTimer = setInterval(loadLogs, 10000);
}

function renderApp() {
  const app = state.app;
  if (!app || state.route?.view !== 'app') return;
  $('#app-title').textContent = txt(app.name);
  document.title = `${txt(app.name)} · EMP`;
  const st = $('#app-state');
  st.textContent = txt(app.state) || DASH;
  st.className = 'state state-' + cssToken(app.state);
  $('#app-replicas').textContent = replicasText(app.replicas);
  setCell($('#app-url'), txt(app.url) || DASH, safeUrl(app.url), true);
  $('#app-release').textContent = releaseText(app.release);
  $('#app-owner').textContent = txt(app.owner) || DASH;
  const message = $('#app-message');
  message.textContent = txt(app.message);
  message.hidden = !app.message;
  const stopped = app.state === 'stopped';
  $('#stop-button').hidden = stopped;
  $('#start-button').hidden = !stopped;
  renderScaleInput(app);
  renderInstances(arrayOf(app.instances));
}

/** Prefills the replicas input with the desired count, unless the user is typing another number. */
function renderScaleInput(app) {
  const input = $('#scale-replicas');
  const desired = num(app.replicas?.desired) ?? 0;
  const untouched = input.value === '' || input.value === String(state.shownDesired);
  if (document.activeElement !== input && untouched) input.value = String(desired);
  state.shownDesired = desired;
  const [min, max] = [num(app.spec?.min_replicas), num(app.spec?.max_replicas)];
  $('#scale-hint').textContent = min != null && max != null ? `The scheduler keeps it between ${min} and ${max}.` : '';
}

function renderInstances(instances) {
  const tbody = $('#instances tbody');
  if (!instances.length) return tbody.replaceChildren(emptyRow(6, 'No replicas.'));
  tbody.replaceChildren(...instances.map((i) => el('tr', {'data-instance': txt(i.id)},
    el('td', {}, txt(i.id)),
    el('td', {class: 'state state-' + cssToken(i.state)}, txt(i.state) + (i.outdated ? ' (outdated)' : '')),
    el('td', {class: 'num'}, txt(num(i.restarts) ?? 0)),
    el('td', {}, timeEl(i.since)),
    el('td', {class: 'mono'}, txt(i.endpoint) || DASH),
    el('td', {}, txt(i.message)))));
}

function renderEvents() {
  const list = $('#events');
  const events = [...(state.events || [])].reverse();
  if (!events.length) return list.replaceChildren(el('li', {class: 'empty'}, 'No events yet.'));
  list.replaceChildren(...events.map((e) => el('li', {class: 'event type-' + cssToken(e.type), 'data-seq': txt(e.seq)},
    timeEl(e.time), ' ', el('span', {class: 'event-type'}, txt(e.type)), ' ', el('span', {class: 'event-message'}, txt(e.message)))));
}

// ---------- actions

function confirmAction(message, yesLabel) {
  const dialog = $('#confirm');
  $('#confirm-message').textContent = message;
  $('#confirm-yes').textContent = yesLabel;
  if (typeof dialog.showModal !== 'function') return Promise.resolve(window.confirm(message));
  return new Promise((resolve) => {
    dialog.returnValue = ''; // Escape closes it with this value: a no
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'yes'), {once: true});
    dialog.showModal();
  });
}

async function runAction(app, method, action, body, doneText) {
  if (state.busy) return false;
  state.busy = true;
  const controls = document.querySelectorAll('#app-view .actions button');
  controls.forEach((b) => b.setAttribute('aria-disabled', 'true'));
  setError('');
  try {
    await api(method, `/v1/apps/${encodeURIComponent(app.id)}/${action}`, body);
    announce(doneText); // the stream brings the new state
    return true;
  } catch (err) {
    fail(err);
    return false;
  } finally {
    state.busy = false;
    controls.forEach((b) => b.removeAttribute('aria-disabled'));
  }
}

async function onScale(event) {
  event.preventDefault();
  const app = state.app;
  if (!app || state.busy) return;
  const input = $('#scale-replicas');
  const wanted = Number(input.value);
  if (input.value.trim() === '' || !Number.isInteger(wanted) || wanted < 0) {
    setError('Replicas must be a whole number, 0 or more.');
    return input.focus();
  }
  const [name, from] = [txt(app.name), num(app.replicas?.desired) ?? 0];
  if (wanted < from) {
    const question = `Scale ${name} down from ${from} to ${wanted} replicas? ${plural(from - wanted, 'replica')} will be stopped` +
      (wanted === 0 ? ' and the app will not answer until it is scaled up again.' : '.');
    if (!(await confirmAction(question, 'Scale down'))) return;
  }
  const done = `Done: scaled ${name} to ${plural(wanted, 'replica')}.`;
  if (await runAction(app, 'PUT', 'replicas', {replicas: wanted}, done)) state.shownDesired = wanted;
}

const LIFECYCLE = {
  stop: {done: 'stopped', yes: 'Stop', ask: (name) =>
    `Stop ${name}? All its replicas will be shut down and it will not answer requests until you start it again.`},
  start: {done: 'started'},
  restart: {done: 'restarted', yes: 'Restart', ask: (name) =>
    `Restart ${name}? Each of its replicas will be stopped and started again; requests in flight may fail.`},
};

/** Stop, start or restart, asking first where the action hurts. */
async function onLifecycle(action) {
  const app = state.app;
  const {done, yes, ask} = LIFECYCLE[action];
  if (!app || state.busy) return;
  if (ask && !(await confirmAction(ask(txt(app.name)), yes))) return;
  runAction(app, 'POST', action, undefined, `Done: ${done} ${txt(app.name)}.`);
}

// ---------- logs

function stopLogs() {
  clearInterval(state.logsTimer);
  state.logsTimer = null;
}

async function loadLogs() {
  const id = state.route?.view === 'app' ? state.route.id : null;
  if (id == null || state.logsLoading === id) return;
  const pre = $('#logs');
  const stillHere = () => state.route?.view === 'app' && state.route.id === id;
  state.logsLoading = id;
  try {
    const lines = await api('GET', `/v1/apps/${encodeURIComponent(id)}/logs?tail=100`);
    if (!stillHere()) return;
    const atBottom = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 24;
    const list = arrayOf(lines);
    pre.textContent = list.length ? list.map((l) => `[${txt(l.instance)}] ${txt(l.line)}`).join('\n') : 'No log lines yet.';
    pre.classList.remove('problem');
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  } catch (err) { // e.g. a cluster that keeps no logs: its words go in the logs area
    if (err.status === 401) return fail(err);
    if (!stillHere()) return;
    pre.textContent = err.message;
    pre.classList.add('problem');
  } finally {
    if (state.logsLoading === id) state.logsLoading = null;
  }
}

// ---------- the app's chart: latency, traffic and replicas on one time axis, scale events as vertical lines

const SERIES_FORMAT = {
  p50: fmtMs, p95: fmtMs, p99: fmtMs, rate: fmtRate,
  errors: (v) => (num(v) == null ? DASH : fmtPercent(v / 100)),
  desired: (v) => txt(num(v) ?? DASH), ready: (v) => txt(num(v) ?? DASH),
};

/** The scale events inside [from, to], with a short label such as "1→3". */
function scaleEvents(from, to) {
  return (state.events || []).filter((e) => e.type === 'scale').map((e) => {
    const moved = /(\d+)\s*->\s*(\d+)/.exec(txt(e.message));
    return {t: Date.parse(e.time), message: txt(e.message), short: moved ? `${moved[1]}→${moved[2]}` : 'scale'};
  }).filter((e) => Number.isFinite(e.t) && e.t >= from && e.t <= to);
}

function chartTooltip(params, scales, nearMs) {
  const enc = echarts.format.encodeHTML;
  const list = Array.isArray(params) ? params : [params];
  if (!list.length) return '';
  const t = Number(list[0].axisValue ?? list[0].value?.[0]);
  const lines = [enc(fmtTime(t))];
  for (const p of list) lines.push(`${p.marker}${enc(p.seriesName)}: ${enc(SERIES_FORMAT[p.seriesId]?.(p.value?.[1]) ?? '')}`);
  for (const e of scales) if (Math.abs(e.t - t) <= nearMs) lines.push(`<b>scaled ${enc(e.short)}</b>: ${enc(e.message)}`);
  return lines.join('<br>');
}

function lineSeries(id, name, grid, yAxis, data, color, {lineStyle = {}, ...extra} = {}) {
  return {
    id, name, type: 'line', xAxisIndex: grid, yAxisIndex: yAxis, data, showSymbol: false, connectNulls: false,
    itemStyle: {color}, lineStyle: {color, width: 2, ...lineStyle}, animation: false, ...extra,
  };
}

function markLine(scales, labelled, extra = []) {
  const lines = scales.map((e) => ({
    xAxis: e.t, name: e.short, label: {show: labelled, formatter: e.short, position: 'end', color: COLORS.scale},
  }));
  return {symbol: ['none', 'none'], animation: false, silent: true, lineStyle: {color: COLORS.scale, type: 'solid', width: 1.5},
    data: [...extra, ...lines]};
}

function chartOption(history, scales, from, to) {
  const samples = arrayOf(history?.samples);
  const points = (pick) => samples.map((s) => [Date.parse(s.time), num(pick(s))]);
  const target = num(history?.target_p95_ms);
  const targetLine = target == null ? [] : [{yAxis: target, name: 'target p95', lineStyle: {color: COLORS.target, type: 'dashed', width: 2},
    label: {show: true, formatter: 'target ' + fmtMs(target), position: 'insideStartTop', color: COLORS.target}}];
  const nearMs = (num(history?.interval_seconds) ?? 5) * 1000;
  const errorsPeak = Math.max(0, ...samples.map((s) => (num(s.error_rate) ?? 0) * 100));
  const errorsTop = [4, 10, 20, 50].find((top) => errorsPeak <= top) ?? 100; // a few % of errors must not fill the grid
  const xAxis = (gridIndex, last) => ({type: 'time', gridIndex, min: from, max: to, axisLabel: {show: last, hideOverlap: true},
    axisTick: {show: last}, splitLine: {show: true, lineStyle: {color: '#eceef1'}}});
  const yAxis = (gridIndex, name, extra = {}) => ({type: 'value', gridIndex, name, min: 0, splitNumber: 3,
    nameTextStyle: {color: '#4a4f57', align: 'left'}, axisLabel: {color: '#4a4f57'}, ...extra});
  const grid = (top, height) => ({left: 56, right: 56, top, height});
  return {
    animation: false,
    legend: {type: 'scroll', top: 0, textStyle: {color: '#1d2330'}},
    axisPointer: {link: [{xAxisIndex: 'all'}]},
    tooltip: {trigger: 'axis', confine: true, formatter: (params) => chartTooltip(params, scales, nearMs)},
    grid: [grid(48, '27%'), grid('45%', '19%'), grid('72%', '17%')],
    xAxis: [xAxis(0, false), xAxis(1, false), xAxis(2, true)],
    yAxis: [
      yAxis(0, 'latency ms'), yAxis(1, 'req/s'),
      yAxis(1, 'errors %', {max: errorsTop, interval: errorsTop / 2, position: 'right', splitLine: {show: false},
        nameTextStyle: {color: '#4a4f57', align: 'right'}}),
      yAxis(2, 'replicas', {minInterval: 1}),
    ],
    series: [
      lineSeries('p50', 'p50', 0, 0, points((s) => s.p50_ms), COLORS.p50, {lineStyle: {type: 'dotted'}}),
      lineSeries('p95', 'p95', 0, 0, points((s) => s.p95_ms), COLORS.p95, {lineStyle: {width: 3}, markLine: markLine(scales, true, targetLine)}),
      lineSeries('p99', 'p99', 0, 0, points((s) => s.p99_ms), COLORS.p99, {lineStyle: {type: 'dashed'}}),
      lineSeries('rate', 'requests/s', 1, 1, points((s) => s.rate), COLORS.rate, {markLine: markLine(scales, false)}),
      lineSeries('errors', 'errors %', 1, 2, points((s) => (num(s.error_rate) == null ? null : s.error_rate * 100)), COLORS.errors,
        {lineStyle: {type: 'dashed'}}),
      lineSeries('desired', 'desired replicas', 2, 3, points((s) => s.replicas), COLORS.desired, {step: 'end', markLine: markLine(scales, false)}),
      lineSeries('ready', 'ready replicas', 2, 3, points((s) => s.ready), COLORS.ready, {step: 'end', lineStyle: {type: 'dashed'}}),
    ],
  };
}

function renderChart() {
  if (state.route?.view !== 'app') return;
  const history = state.history;
  const samples = arrayOf(history?.samples);
  const times = samples.map((s) => Date.parse(s.time)).filter(Number.isFinite);
  const to = times.length ? Math.max(...times) : Date.now();
  const from = times.length ? Math.min(...times) : to - 15 * 60 * 1000;
  const scales = scaleEvents(from, to);
  if (!state.chart && typeof echarts !== 'undefined') state.chart = echarts.init($('#chart'));
  state.chart?.setOption(chartOption(history, scales, from, to));
  summarizeChart(samples, num(history?.target_p95_ms), scales, to - from);
}

function summarizeChart(samples, target, scales, spanMs) {
  let text = 'No figures yet.';
  if (samples.length) {
    const last = samples[samples.length - 1];
    const lastP95 = [...samples].reverse().find((s) => num(s.p95_ms) != null);
    const peak = Math.max(0, ...samples.map((s) => num(s.p95_ms) ?? 0));
    text = `Last ${Math.max(1, Math.round(spanMs / 60000))} minutes: p95 now ${fmtMs(lastP95?.p95_ms)}` +
      (target != null ? ` (target ${fmtMs(target)})` : '') + `, peak ${peak > 0 ? fmtMs(peak) : DASH}; ` +
      `${fmtRate(last.rate)}, errors ${fmtPercent(last.error_rate)}; ${num(last.ready) ?? 0} of ${num(last.replicas) ?? 0} replicas ready; ` +
      `${plural(scales.length, 'scaling event')}.`;
  }
  $('#chart').setAttribute('aria-label', 'Chart of latency, traffic and replicas. ' + text);
  $('#chart-summary').textContent = text + scales.map((e) => ` ${fmtTime(e.t)}: ${e.message}.`).join('');
}

// ---------- service graph: callers on the left, callees on the right

/** Depth of each node: the longest call path reaching it from a node nobody calls; cycles are cut first. */
function layerDepths(keys, edges) {
  const out = new Map(keys.map((k) => [k, []]));
  for (const e of edges) if (e.from !== e.to && out.has(e.from) && out.has(e.to)) out.get(e.from).push(e.to);
  const called = new Set([...out.values()].flat());
  const mark = new Map(); // 1 while on the walk's path, 2 when done
  const dag = new Map(keys.map((k) => [k, []]));
  const finished = [];
  const visit = (k) => {
    mark.set(k, 1);
    for (const t of out.get(k)) {
      if (mark.get(t) === 1) continue; // a back edge closes a cycle: it does not count for depth
      dag.get(k).push(t);
      if (!mark.has(t)) visit(t);
    }
    mark.set(k, 2);
    finished.push(k);
  };
  for (const k of [...keys.filter((k) => !called.has(k)), ...keys]) if (!mark.has(k)) visit(k);
  const depth = new Map(keys.map((k) => [k, 0]));
  for (const k of finished.reverse()) { // callers before callees
    for (const t of dag.get(k)) depth.set(t, Math.min(keys.length, Math.max(depth.get(t), depth.get(k) + 1)));
  }
  return {depth, dag};
}

/** Column by depth, row by order in the column (nodes near their callers' rows first), columns centred. */
function layout(keys, edges) {
  const {depth, dag} = layerDepths(keys, edges);
  const columns = [];
  for (const k of keys) (columns[depth.get(k)] ||= []).push(k);
  const callers = new Map(keys.map((k) => [k, []]));
  for (const [k, targets] of dag) for (const t of targets) callers.get(t).push(k);
  const place = new Map();
  const score = (k) => {
    const rows = callers.get(k).filter((c) => place.has(c)).map((c) => place.get(c)[1]);
    return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : Infinity;
  };
  columns.forEach((column, x) => {
    column.sort((a, b) => score(a) - score(b) || a.localeCompare(b));
    column.forEach((k, i) => place.set(k, [x, i - (column.length - 1) / 2]));
  });
  return {place, columns: columns.length, rows: Math.max(1, ...columns.map((c) => c.length))};
}

function graphTooltip(params) {
  const enc = echarts.format.encodeHTML;
  const d = params.data || {};
  if (params.dataType === 'edge') {
    return `${enc(d.source)} → ${enc(d.target)}<br>${enc(d.labelText)} · errors ${enc(fmtPercent(d.error_rate))}`;
  }
  const n = d.node || {};
  if (n.app_id == null) return `${enc(d.name)}<br>another user's app`;
  return [enc(d.name), 'state: ' + enc(txt(n.state) || DASH), 'p95 ' + enc(latencyText(n.p95_ms, n.target_p95_ms)),
    enc(fmtRate(n.rate)) + ', errors ' + enc(fmtPercent(n.error_rate)),
    n.blamed ? '<b>scaled up by the scheduler in the last minutes</b>' : ''].filter(Boolean).join('<br>');
}

/** The bottleneck is the app the scheduler scaled up last; others it scaled up in the last minutes are marked lighter. */
function graphNode(n, key, value, blamedKey) {
  const bottleneck = key === blamedKey;
  const scaledUp = Boolean(n.blamed) && !bottleneck;
  const own = n.app_id != null;
  const color = own ? COLORS[latencyClass(n.p95_ms, n.target_p95_ms)] : COLORS.foreign;
  const lines = [own ? txt(n.name) : key];
  if (own && num(n.p95_ms) != null) lines.push('p95 ' + fmtMs(n.p95_ms));
  if (bottleneck) lines.push('bottleneck');
  else if (scaledUp) lines.push('scaled up lately');
  const border = bottleneck ? 6 : scaledUp ? 3 : 1.5;
  return {
    name: key, value, app_id: own ? n.app_id : null, node: n, labelText: lines.join('\n'), symbolSize: own ? 40 : 30,
    itemStyle: {color, borderColor: bottleneck || scaledUp ? '#1d2330' : '#ffffff', borderWidth: border, opacity: own ? 1 : 0.8},
    label: {color: own ? '#1d2330' : '#5f6670', fontWeight: bottleneck ? 'bold' : 'normal'},
  };
}

/** The chart's option, and how many rows its tallest column has. Narrow screens leave the edge figures to the table. */
function graphOption(nodes, edges, blamedKey, wide) {
  const byKey = new Map(nodes.map((n) => [txt(n.key), n]));
  for (const e of edges) for (const k of [txt(e.from), txt(e.to)]) if (!byKey.has(k)) byKey.set(k, {key: k, name: k, app_id: null});
  const keys = [...byKey.keys()].sort();
  const {place, columns, rows} = layout(keys, edges.map((e) => ({from: txt(e.from), to: txt(e.to)})));
  const links = edges.filter((e) => e.from !== e.to).map((e) => ({
    source: txt(e.from), target: txt(e.to), error_rate: e.error_rate, labelText: `${fmtRate(e.rate)} · p95 ${fmtMs(e.p95_ms)}`,
    lineStyle: {width: 1.5 + Math.min(4, Math.log10(1 + (num(e.rate) ?? 0))), color: (num(e.error_rate) ?? 0) > 0.05 ? COLORS.errors : COLORS.edge},
  }));
  const hiddenAxis = (min, max, extra) => ({type: 'value', min, max, show: false, ...extra});
  const option = {
    animation: false, // redrawn with each update: no fading in and out
    tooltip: {trigger: 'item', confine: true, formatter: graphTooltip},
    grid: {left: wide ? 80 : 44, right: wide ? 80 : 44, top: 30, bottom: 56},
    xAxis: hiddenAxis(-0.5, columns - 0.5),
    yAxis: hiddenAxis(-rows / 2, rows / 2, {inverse: true}),
    series: [{
      id: 'graph', type: 'graph', layout: 'none', coordinateSystem: 'cartesian2d',
      edgeSymbol: ['none', 'arrow'], edgeSymbolSize: [0, 10],
      label: {show: true, position: 'bottom', formatter: (p) => p.data.labelText, fontSize: 12, lineHeight: 15},
      edgeLabel: {show: wide, formatter: (p) => p.data.labelText, fontSize: 11, color: '#30353d'},
      lineStyle: {curveness: 0.12, opacity: 0.9}, emphasis: {focus: 'adjacency', lineStyle: {width: 4}},
      data: keys.map((key) => graphNode(byKey.get(key), key, place.get(key), blamedKey)), links,
    }],
  };
  return {option, rows};
}

function renderGraph() {
  const g = state.graph;
  const nodes = arrayOf(g?.nodes);
  const edges = arrayOf(g?.edges);
  renderBlamed(g);
  renderEdgeTable(edges, nodes);
  $('#graph-empty').hidden = g == null || edges.length > 0;
  const box = $('#graph');
  const wasHidden = box.hidden;
  box.hidden = edges.length === 0;
  if (box.hidden || typeof echarts === 'undefined') return;
  const {option, rows} = graphOption(nodes, edges, g?.blamed?.key, box.clientWidth >= 600);
  const height = `${Math.max(280, Math.min(640, 110 + rows * 110))}px`;
  const resize = wasHidden || box.style.height !== height;
  box.style.height = height;
  if (!state.graphChart) {
    state.graphChart = echarts.init(box);
    state.graphChart.on('click', (p) => { if (p.dataType === 'node' && p.data?.app_id) location.hash = appHref(p.data.app_id); });
  } else if (resize) state.graphChart.resize();
  state.graphChart.setOption(option, {replaceMerge: ['series']});
}

function renderBlamed(g) {
  const line = $('#blamed');
  if (g == null) return (line.textContent = 'Loading…');
  const b = g.blamed;
  if (!b) return (line.textContent = 'The scheduler made no scaling decision in the last minutes.');
  line.replaceChildren('Bottleneck: ', el('strong', {}, txt(b.key)),
    ` — the scheduler scaled it up at ${fmtTime(b.time)} because: ${txt(b.reason) || 'no reason given'}`);
}

const EDGE_CELLS = ['from', 'to', 'rate num', 'p95 num', 'errors num'];

function renderEdgeTable(edges, nodes) {
  const tbody = $('#graph-edges tbody');
  if (!edges.length) return tbody.replaceChildren(emptyRow(EDGE_CELLS.length, 'No calls yet.'));
  const appIds = new Map(nodes.filter((n) => n.app_id != null).map((n) => [txt(n.key), n.app_id]));
  const endpoint = (cell, key) => setCell(cell, key, appIds.has(key) ? appHref(appIds.get(key)) : null);
  const keyOf = (e) => `${txt(e.from)}->${txt(e.to)}`;
  syncRows(tbody, edges, keyOf, () => rowOf(EDGE_CELLS, false), (tr, e) => {
    const [from, to, rate, p95, errors] = tr.cells;
    tr.dataset.edge = keyOf(e);
    endpoint(from, txt(e.from));
    endpoint(to, txt(e.to));
    setCell(rate, fmtRate(e.rate));
    setCell(p95, fmtMs(e.p95_ms));
    setCell(errors, fmtPercent(e.error_rate));
  });
}

// ---------- wiring

function wire() {
  $('#login-form').addEventListener('submit', onLogin);
  $('#logout').addEventListener('click', onLogout);
  $('#scale-form').addEventListener('submit', onScale);
  for (const action of Object.keys(LIFECYCLE)) $(`#${action}-button`).addEventListener('click', () => onLifecycle(action));
  $('#logs-refresh').addEventListener('click', () => loadLogs());
  $('#confirm-yes').addEventListener('click', () => $('#confirm').close('yes'));
  $('#confirm-no').addEventListener('click', () => $('#confirm').close('no'));
  window.addEventListener('hashchange', () => route(true));
  window.addEventListener('resize', resizeCharts);
  for (const heading of document.querySelectorAll('main h1')) heading.tabIndex = -1;
}

boot();

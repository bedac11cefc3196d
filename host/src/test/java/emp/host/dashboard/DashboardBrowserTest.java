package emp.host.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import emp.host.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (Debian's headless Chromium, driven by Selenium through chromedriver): a user logs
 * in, sees an app deployed through the API appear and its replicas change without a reload, scales it from the page,
 * finds the call between two apps in the service graph, and is refused another user's app. Screenshots of each step
 * go to {@code target/screenshots}.
 *
 * <p>Skipped where Chromium is not installed, unless {@code EMP_BROWSER_TESTS=required} (as {@code .ci/run} sets it,
 * after installing Chromium), where its absence fails.
 */
class DashboardBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dataDir;

    @TempDir
    static Path profile;

    private static TestServer server;
    private static WebDriver browser;
    private static String alice;
    private static String bob;

    @BeforeAll
    static void start() throws IOException {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed && "required".equals(System.getenv("EMP_BROWSER_TESTS"))) {
            throw new AssertionError("EMP_BROWSER_TESTS=required but " + CHROMIUM + " or " + CHROMEDRIVER
                    + " is missing; install Debian's chromium and chromium-driver");
        }
        assumeTrue(installed, "Chromium is not installed (apt-get install chromium chromium-driver); skipped");
        Files.createDirectories(SCREENSHOTS);
        server = TestServer.start(dataDir, Map.of());
        alice = server.signUp("alice");
        bob = server.signUp("bob");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
                "--user-data-dir=" + profile);
        // What the page's console says: a script error or a refused script (Content-Security-Policy) shows there.
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1280, 800));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aUserWatchesTheirAppsLiveScalesOneAndFindsTheCallInTheGraph() throws IOException {
        browser.get(server.api().resolve("/ui/").toString());
        WebElement form = waitFor(By.id("login-form"));
        screenshot("1-login");
        browser.findElement(By.id("username")).sendKeys("alice");
        browser.findElement(By.id("password")).sendKeys("correct horse");
        form.submit();
        waitFor(By.id("apps"));
        // A mark on the page that a reload would wipe.
        js("window.empNotReloaded = true;");

        assertThat(server.send("POST", "/v1/apps", alice, TestServer.helloSpec("web", "\"replicas\": 1"))
                        .status())
                .isEqualTo(201);
        WebElement row = waitFor(By.cssSelector("#apps tr[data-app='web']"));
        assertThat(row.getText()).contains("web");
        waitUntilText(By.cssSelector("#apps tr[data-app='web'] .replicas"), "1/1");
        screenshot("2-app-appeared");

        // 'emp scale web 2', as the CLI sends it.
        assertThat(server.send("PUT", "/v1/apps/web/replicas", alice, "{\"replicas\": 2}")
                        .status())
                .isEqualTo(200);
        waitUntilText(By.cssSelector("#apps tr[data-app='web'] .replicas"), "/2");
        waitUntilText(By.cssSelector("#apps tr[data-app='web'] .replicas"), "2/2");
        screenshot("3-scaled-by-cli");

        // Scale down from the page: it asks first, then the change goes through the API with the session's CSRF header.
        browser.findElement(By.cssSelector("#apps tr[data-app='web'] a")).click();
        waitUntilText(By.id("app-title"), "web");
        WebElement replicas = waitFor(By.id("scale-replicas"));
        replicas.clear();
        replicas.sendKeys("1");
        browser.findElement(By.id("scale-button")).click();
        WebElement confirm = waitVisible(By.id("confirm"));
        screenshot("4-confirm-scale-down");
        assertThat(confirm.getText()).contains("1");
        browser.findElement(By.id("confirm-yes")).click();
        await().atMost(WAIT)
                .until(() -> server.send("GET", "/v1/apps/web", alice, null)
                                .json()
                                .get("replicas")
                                .get("desired")
                                .asInt()
                        == 1);
        waitFor(By.cssSelector("#chart canvas, #chart svg"));
        waitUntilText(By.id("events"), "by alice");
        screenshot("5-app-page");

        // Two apps, one calling the other: the edge in the graph.
        for (String app : new String[] {"front", "back"}) {
            server.send("POST", "/v1/apps", alice, TestServer.helloSpec(app, "\"replicas\": 0"));
        }
        server.reportCalls(alice, "alice", "front", "back", 20);
        browser.findElement(By.cssSelector("a[href='#/graph']")).click();
        WebElement edge = new WebDriverWait(browser, Duration.ofSeconds(60))
                .until(ExpectedConditions.presenceOfElementLocated(
                        By.cssSelector("#graph-edges tr[data-edge='alice/front->alice/back']")));
        assertThat(edge.getText()).contains("front").contains("back");
        waitFor(By.cssSelector("#graph canvas, #graph svg"));
        screenshot("6-service-graph");
        assertThat(js("return window.empNotReloaded === true;"))
                .as("every change so far came without a reload")
                .isEqualTo(Boolean.TRUE);

        // Another user's app: answered as one that does not exist.
        server.send("POST", "/v1/apps", bob, TestServer.helloSpec("private", "\"replicas\": 0"));
        String bobsApp = server.send("GET", "/v1/apps/private", bob, null)
                .json()
                .get("id")
                .asText();
        browser.get(server.api().resolve("/ui/#/apps/" + bobsApp).toString());
        WebElement error = waitVisible(By.id("error"));
        new WebDriverWait(browser, WAIT).until(driver -> !error.getText().isBlank());
        assertThat(error.getText()).contains("you have no app").contains(bobsApp);
        assertThat(browser.findElement(By.tagName("body")).getText()).doesNotContain("bob");
        screenshot("7-refused");

        // A phone-sized window still shows the list.
        browser.manage().window().setSize(new Dimension(390, 844));
        browser.get(server.api().resolve("/ui/#/").toString());
        waitFor(By.cssSelector("#apps tr[data-app='web']"));
        screenshot("8-phone");

        assertThat(browser.manage().logs().get(LogType.BROWSER).getAll())
                .as("the page's console: no script errors, nothing refused by the content security policy")
                .filteredOn(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                // The page asks who is signed in before anyone is (401), and looks for bob's app (404): both expected.
                .allMatch(message -> message.contains("401") || message.contains("404"));
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private static WebElement waitFor(By locator) {
        return new WebDriverWait(browser, WAIT).until(ExpectedConditions.presenceOfElementLocated(locator));
    }

    private static WebElement waitVisible(By locator) {
        return new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(locator));
    }

    private static void waitUntilText(By locator, String text) {
        new WebDriverWait(browser, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(locator, text));
    }

    private static void screenshot(String name) throws IOException {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve(name + ".png"), png);
    }
}

package emp.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestTargetTest {
    @Test
    void splitsAppFromTheRest() {
        assertThat(RequestTarget.parse("/alice/hello/a/b?x=1&y=2"))
                .contains(new RequestTarget("alice", "hello", "/alice/hello", "/a/b?x=1&y=2"));
    }

    @Test
    void appAloneGoesToTheRoot() {
        assertThat(RequestTarget.parse("/alice/hello"))
                .map(RequestTarget::backendUri)
                .contains("/");
        assertThat(RequestTarget.parse("/alice/hello/"))
                .map(RequestTarget::backendUri)
                .contains("/");
        assertThat(RequestTarget.parse("/alice/hello?q=1"))
                .map(RequestTarget::backendUri)
                .contains("/?q=1");
    }

    @Test
    void decodesTheNamesButPassesTheRestAsWritten() {
        assertThat(RequestTarget.parse("/al%69ce/a+b/x%2Fy%20z"))
                .contains(new RequestTarget("alice", "a+b", "/al%69ce/a+b", "/x%2Fy%20z"));
    }

    @Test
    void acceptsTheAbsoluteForm() {
        assertThat(RequestTarget.parse("http://gw:8080/alice/hello/x?q"))
                .contains(new RequestTarget("alice", "hello", "/alice/hello", "/x?q"));
    }

    @Test
    void rejectsPathsWithoutUserAndApp() {
        assertThat(RequestTarget.parse("/")).isEmpty();
        assertThat(RequestTarget.parse("/alice")).isEmpty();
        assertThat(RequestTarget.parse("/alice/")).isEmpty();
        assertThat(RequestTarget.parse("//hello/x")).isEmpty();
        assertThat(RequestTarget.parse("*")).isEmpty();
        assertThat(RequestTarget.parse("/alice?x=/y/z")).isEmpty();
    }
}

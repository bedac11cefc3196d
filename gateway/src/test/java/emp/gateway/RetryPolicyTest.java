package emp.gateway;

import static emp.gateway.RetryPolicy.Next.ANOTHER_REPLICA;
import static emp.gateway.RetryPolicy.Next.BACK_TO_LINE;
import static emp.gateway.RetryPolicy.Next.GIVE_UP;
import static emp.gateway.RetryPolicy.Next.SAME_REPLICA_NEW_CONNECTION;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    @Test
    void aRequestNeverSentGoesBackToTheLineWhateverItsMethodAndTries() {
        for (HttpMethod method : new HttpMethod[] {HttpMethod.GET, HttpMethod.POST, HttpMethod.PATCH}) {
            assertThat(RetryPolicy.next(false, method, 5, false, false)).isEqualTo(BACK_TO_LINE);
        }
    }

    @Test
    void anIdempotentRequestMaybeActedOnIsTriedOnceMoreElsewhereThenOnTheSameReplicaOverANewConnection() {
        assertThat(RetryPolicy.next(true, HttpMethod.GET, 1, true, false)).isEqualTo(ANOTHER_REPLICA);
        assertThat(RetryPolicy.next(true, HttpMethod.PUT, 1, true, true)).isEqualTo(ANOTHER_REPLICA);
        assertThat(RetryPolicy.next(true, HttpMethod.DELETE, 1, false, true)).isEqualTo(SAME_REPLICA_NEW_CONNECTION);
        assertThat(RetryPolicy.next(true, HttpMethod.GET, 1, false, false))
                .as("a fresh connection that failed, and no other replica")
                .isEqualTo(GIVE_UP);
        assertThat(RetryPolicy.next(true, HttpMethod.GET, RetryPolicy.MAX_ATTEMPTS, true, true))
                .as("once only")
                .isEqualTo(GIVE_UP);
    }

    @Test
    void aRequestThatMayHaveChangedSomethingIsNeverSentTwice() {
        for (HttpMethod method : new HttpMethod[] {HttpMethod.POST, HttpMethod.PATCH}) {
            assertThat(RetryPolicy.next(true, method, 1, true, true)).isEqualTo(GIVE_UP);
            assertThat(RetryPolicy.whyNoMoreTries(method, 1))
                    .contains(method.name())
                    .contains("not retried");
        }
        assertThat(RetryPolicy.whyNoMoreTries(HttpMethod.GET, 1)).contains("no other replica");
        assertThat(RetryPolicy.whyNoMoreTries(HttpMethod.GET, RetryPolicy.MAX_ATTEMPTS))
                .contains("restarting");
    }
}

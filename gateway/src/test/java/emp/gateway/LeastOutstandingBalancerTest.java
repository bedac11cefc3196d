package emp.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeastOutstandingBalancerTest {
    private final Backend a = new Backend("a", new InetSocketAddress("127.0.0.1", 1001));
    private final Backend b = new Backend("b", new InetSocketAddress("127.0.0.1", 1002));
    private final Backend c = new Backend("c", new InetSocketAddress("127.0.0.1", 1003));
    private final List<Backend> all = List.of(a, b, c);
    private final LeastOutstandingBalancer balancer = new LeastOutstandingBalancer();

    @Test
    void takesIdleReplicasInTurn() {
        List<String> picked = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Backend backend = balancer.acquire(all, Set.of()).orElseThrow();
            picked.add(backend.id());
            balancer.release(backend);
        }

        assertThat(picked).containsExactly("a", "b", "c", "a", "b", "c");
    }

    @Test
    void picksTheReplicaWithFewestInFlight() {
        balancer.acquireSame(a);
        balancer.acquireSame(a);
        balancer.acquireSame(b);

        for (int i = 0; i < 3; i++) {
            assertThat(balancer.acquire(all, Set.of()).orElseThrow()).isEqualTo(c);
            balancer.release(c);
        }
        assertThat(balancer.outstanding(a.address())).isEqualTo(2);
        assertThat(balancer.outstanding(b.address())).isEqualTo(1);
        assertThat(balancer.outstanding(c.address())).isZero();
    }

    @Test
    void skipsExcludedReplicas() {
        assertThat(balancer.acquire(all, Set.of(a.address(), c.address()))).contains(b);
        assertThat(balancer.acquire(all, Set.of(a.address(), b.address(), c.address())))
                .isEmpty();
        assertThat(balancer.acquire(List.of(), Set.of())).isEmpty();
    }
}

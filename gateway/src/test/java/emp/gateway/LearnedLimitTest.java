package emp.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LearnedLimitTest {
    private static final long MS = 1_000_000;

    /** A replica that serves {@code threads} requests at once, each in {@code serviceMs}, kept full at its limit. */
    private static void runFull(LearnedLimit limit, int threads, int rounds) {
        for (int round = 0; round < rounds; round++) {
            int current = limit.limit();
            long latency = (long) (Math.max(1.0, (double) current / threads) * 10 * MS);
            for (int i = 0; i < current; i++) {
                limit.sample(latency, current - 1, false);
            }
        }
    }

    @Test
    void aSerialReplicaLoadedFromTheStartGoesToTwo() {
        LearnedLimit limit = new LearnedLimit();
        limit.sample(10 * MS, 0, false);

        runFull(limit, 1, 10);

        assertThat(limit.limit()).isEqualTo(2);
    }

    @Test
    void aReplicaWithFourThreadsGoesToFive() {
        LearnedLimit limit = new LearnedLimit();
        limit.sample(10 * MS, 0, false);

        runFull(limit, 4, 10);

        assertThat(limit.limit()).isEqualTo(5);
    }

    @Test
    void aReplicaThatServesAllItIsGivenGrowsByAQuarterARound() {
        LearnedLimit limit = new LearnedLimit();
        limit.sample(10 * MS, 0, false);

        runFull(limit, 10_000, 1);

        assertThat(limit.limit()).isEqualTo(LearnedLimit.INITIAL + LearnedLimit.INITIAL / 4);
        runFull(limit, 10_000, 100);
        assertThat(limit.limit()).isEqualTo(LearnedLimit.MAX);
    }

    @Test
    void aSerialReplicaKeptBelowItsLimitGoesToTwoOnceRequestsQueueInsideIt() {
        LearnedLimit limit = new LearnedLimit();
        limit.sample(10 * MS, 0, false);

        for (int i = 0; i < 200; i++) {
            limit.sample(40 * MS, 3, false);
        }

        assertThat(limit.limit()).isEqualTo(2);
    }

    @Test
    void aParallelReplicaKeptBelowItsLimitKeepsIt() {
        LearnedLimit limit = new LearnedLimit();
        limit.sample(10 * MS, 0, false);

        for (int i = 0; i < 200; i++) {
            limit.sample(12 * MS, 3, false);
        }

        assertThat(limit.limit()).isEqualTo(LearnedLimit.INITIAL);
    }

    @Test
    void aReplicaNeverFullOrNeverAloneKeepsItsLimit() {
        LearnedLimit neverFull = new LearnedLimit();
        for (int i = 0; i < 1000; i++) {
            neverFull.sample(500 * MS, 3, false);
        }
        LearnedLimit neverAlone = new LearnedLimit();
        runFull(neverAlone, 1, 10);

        assertThat(neverFull.limit()).isEqualTo(LearnedLimit.INITIAL);
        assertThat(neverAlone.limit()).isEqualTo(LearnedLimit.INITIAL);
    }

    @Test
    void aFailedRequestHalvesTheLimitDownToOne() {
        LearnedLimit limit = new LearnedLimit();

        limit.sample(MS, 0, true);
        assertThat(limit.limit()).isEqualTo(LearnedLimit.INITIAL / 2);
        for (int i = 0; i < 10; i++) {
            limit.sample(MS, 0, true);
        }
        assertThat(limit.limit()).isEqualTo(1);
    }
}

package emp.tracing.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.AppRef;
import emp.spi.tracing.Span;
import emp.spi.tracing.SpanSink;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SenderCacheTest {
    @Test
    void aGoodCredentialIsVerifiedOnceAndAWrongOneEveryTimeWithoutBeingKept() {
        CollectingSink sink = new CollectingSink();
        SenderCache senders = new SenderCache(sink);

        for (int i = 0; i < 3; i++) {
            assertThat(senders.sender(SampleSpans.FRONT_TOKEN)).contains(SampleSpans.FRONT);
            assertThat(senders.sender("wrong")).isEmpty();
        }
        assertThat(senders.sender(null)).isEmpty();

        assertThat(sink.senderCalls())
                .as("once for the good one, three times for the wrong one")
                .isEqualTo(4);
        assertThat(senders.size()).isEqualTo(1);
    }

    @Test
    void staysWithinItsBoundHoweverManyAppsSend() {
        SenderCache senders = new SenderCache(new SpanSink() {
            @Override
            public void accept(List<Span> spans) {}

            @Override
            public Optional<AppRef> sender(String credential) {
                return Optional.of(new AppRef("owner", credential));
            }
        });

        for (int i = 0; i < SenderCache.CAPACITY * 3 + 7; i++) {
            assertThat(senders.sender("app" + i))
                    .hasValueSatisfying(app -> assertThat(app.name()).startsWith("app"));
        }

        assertThat(senders.size()).isBetween(1, SenderCache.CAPACITY);
    }
}

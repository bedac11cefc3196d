package emp.host.tracing;

import emp.spi.AppRef;
import emp.spi.tracing.Span;
import emp.spi.tracing.SpanSink;
import java.util.List;
import java.util.Optional;

/** The sink a trace source delivers to: spans go to the windows, and credentials are checked against the span key. */
public final class CredentialedSink implements SpanSink {
    private final SpanSink windows;
    private final SpanCredentials credentials;

    public CredentialedSink(SpanSink windows, SpanCredentials credentials) {
        this.windows = windows;
        this.credentials = credentials;
    }

    @Override
    public void accept(List<Span> spans) {
        windows.accept(spans);
    }

    @Override
    public Optional<AppRef> sender(String credential) {
        return credentials.verify(credential);
    }
}

package emp.host.api;

/**
 * An error as the API answers it, {@code application/problem+json} (RFC 9457).
 *
 * @param type   a URI naming the kind of problem
 * @param title  the HTTP status's phrase
 * @param status the HTTP status
 * @param detail what was wrong and what to do, for a person
 * @param field  the request field at fault, when there is one
 */
public record Problem(String type, String title, int status, String detail, String field) {
    public static final String MEDIA_TYPE = "application/problem+json";
}

package emp.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads a release version as people write it, {@code 3} or {@code v3} (as {@code emp releases} shows it). */
final class ReleaseVersionConverter implements ITypeConverter<Integer> {
    private static final Pattern VERSION = Pattern.compile("[vV]?(\\d{1,9})");

    @Override
    public Integer convert(String value) {
        Matcher matcher = VERSION.matcher(value.trim());
        if (!matcher.matches() || Integer.parseInt(matcher.group(1)) < 1) {
            throw new TypeConversionException(
                    "'" + value + "' is not a release version; write it like 3 or v3 ('emp releases APP' lists them)");
        }
        return Integer.valueOf(matcher.group(1));
    }
}

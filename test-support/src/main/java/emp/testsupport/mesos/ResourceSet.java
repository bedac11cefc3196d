package emp.testsupport.mesos;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.Value;

/**
 * An immutable bag of Mesos resources with the arithmetic the master needs: sums, differences and containment, as
 * {@code mesos::Resources} does them. Resources of the same name, allocation role, reservation and volume add up;
 * scalars in the master's fixed point of three decimals, ranges and sets as unions. {@link #toString()} prints them the
 * way the master's messages do, e.g. {@code cpus(allocated: *):2; mem(allocated: *):128; ports(allocated: *):[31000-31009]}.
 */
final class ResourceSet {
    static final ResourceSet EMPTY = new ResourceSet(Map.of());

    /** The allocator's default {@code --min_allocatable_resources}: {@code cpus:0.01|mem:32}. */
    private static final long MIN_CPUS_MILLI = 10;

    private static final long MIN_MEM_MILLI = 32_000;

    /** What makes two resources the same kind: everything but the amount. */
    private record Key(String name, Value.Type type, String allocationRole, String qualifier) {}

    /** One kind with its amount; {@code template} is a resource of the kind with the amount cleared. */
    private record Entry(Resource template, long milli, List<long[]> ranges, TreeSet<String> items) {}

    private final Map<Key, Entry> entries;

    private ResourceSet(Map<Key, Entry> entries) {
        this.entries = entries;
    }

    /** The agent's resources: unreserved {@code cpus}, {@code mem} (MB) and {@code ports}. */
    static ResourceSet ofAgent(double cpus, double memMb, long portsBegin, long portsEnd) {
        List<Resource> resources = new ArrayList<>();
        resources.add(scalar("cpus", cpus));
        resources.add(scalar("mem", memMb));
        if (portsEnd >= portsBegin) {
            resources.add(Resource.newBuilder()
                    .setName("ports")
                    .setType(Value.Type.RANGES)
                    .setRanges(Value.Ranges.newBuilder()
                            .addRange(Value.Range.newBuilder()
                                    .setBegin(portsBegin)
                                    .setEnd(portsEnd)))
                    .build());
        }
        return of(resources);
    }

    private static Resource scalar(String name, double value) {
        return Resource.newBuilder()
                .setName(name)
                .setType(Value.Type.SCALAR)
                .setScalar(Value.Scalar.newBuilder().setValue(value))
                .build();
    }

    /** The sum of {@code resources}; call {@link #validate} first, invalid ones are skipped. */
    static ResourceSet of(Collection<Resource> resources) {
        Map<Key, Entry> entries = new LinkedHashMap<>();
        for (Resource resource : resources) {
            if (validate(List.of(resource)).isPresent()) {
                continue;
            }
            add(entries, resource);
        }
        return new ResourceSet(entries);
    }

    /**
     * What {@code Resources::validate} would say of {@code resources}, the master's wording: a name, a type that
     * matches the value given, no negative scalars, no inverted or overlapping ranges.
     */
    static Optional<String> validate(Collection<Resource> resources) {
        for (Resource resource : resources) {
            if (resource.getName().isEmpty()) {
                return Optional.of("Empty resource name");
            }
            if (!resource.hasType()) {
                return Optional.of("Resource '" + resource.getName() + "' has no type");
            }
            switch (resource.getType()) {
                case SCALAR -> {
                    if (!resource.hasScalar() || resource.hasRanges() || resource.hasSet()) {
                        return Optional.of("Invalid scalar resource '" + resource.getName() + "'");
                    }
                    double value = resource.getScalar().getValue();
                    if (Double.isNaN(value) || Double.isInfinite(value) || value < 0) {
                        return Optional.of("Invalid scalar resource '" + resource.getName() + "': value " + value);
                    }
                }
                case RANGES -> {
                    if (!resource.hasRanges() || resource.hasScalar() || resource.hasSet()) {
                        return Optional.of("Invalid ranges resource '" + resource.getName() + "'");
                    }
                    List<Value.Range> ranges =
                            new ArrayList<>(resource.getRanges().getRangeList());
                    ranges.sort((a, b) -> Long.compareUnsigned(a.getBegin(), b.getBegin()));
                    for (int i = 0; i < ranges.size(); i++) {
                        if (ranges.get(i).getBegin() > ranges.get(i).getEnd()) {
                            return Optional.of("Invalid ranges resource '" + resource.getName() + "': range "
                                    + ranges.get(i).getBegin() + "-"
                                    + ranges.get(i).getEnd() + " is inverted");
                        }
                        if (i > 0
                                && ranges.get(i).getBegin() <= ranges.get(i - 1).getEnd()) {
                            return Optional.of("Invalid ranges resource '" + resource.getName() + "': ranges overlap");
                        }
                    }
                }
                case SET -> {
                    if (!resource.hasSet() || resource.hasScalar() || resource.hasRanges()) {
                        return Optional.of("Invalid set resource '" + resource.getName() + "'");
                    }
                    if (resource.getSet().getItemCount()
                            != new TreeSet<>(resource.getSet().getItemList()).size()) {
                        return Optional.of("Invalid set resource '" + resource.getName() + "': duplicate items");
                    }
                }
                default -> {
                    return Optional.of("Unsupported resource type " + resource.getType() + " for resource '"
                            + resource.getName() + "'");
                }
            }
        }
        return Optional.empty();
    }

    private static void add(Map<Key, Entry> entries, Resource resource) {
        Resource template =
                resource.toBuilder().clearScalar().clearRanges().clearSet().build();
        Key key = new Key(
                resource.getName(),
                resource.getType(),
                resource.hasAllocationInfo() && resource.getAllocationInfo().hasRole()
                        ? resource.getAllocationInfo().getRole()
                        : null,
                qualifier(resource));
        Entry previous = entries.get(key);
        long milli = previous == null ? 0 : previous.milli();
        List<long[]> ranges = previous == null ? List.of() : previous.ranges();
        TreeSet<String> items = previous == null ? new TreeSet<>() : new TreeSet<>(previous.items());
        switch (resource.getType()) {
            case SCALAR -> milli += Math.round(resource.getScalar().getValue() * 1000);
            case RANGES -> {
                List<long[]> added = new ArrayList<>();
                for (Value.Range range : resource.getRanges().getRangeList()) {
                    added.add(new long[] {range.getBegin(), range.getEnd()});
                }
                ranges = union(ranges, added);
            }
            case SET -> items.addAll(resource.getSet().getItemList());
            default -> throw new IllegalArgumentException("unsupported resource type " + resource.getType());
        }
        entries.put(key, new Entry(previous == null ? template : previous.template(), milli, ranges, items));
    }

    /** The part of a resource's description between its name and its value, as {@code operator<<} prints it. */
    private static String qualifier(Resource resource) {
        StringBuilder out = new StringBuilder();
        if (resource.getReservationsCount() > 0) {
            out.append("(reservations: [")
                    .append(resource.getReservationsList().stream()
                            .map(reservation -> "(" + reservation.getType() + "," + reservation.getRole()
                                    + (reservation.hasPrincipal() ? "," + reservation.getPrincipal() : "") + ")")
                            .collect(Collectors.joining(",")))
                    .append("])");
        } else if (resource.hasRole() && !"*".equals(resource.getRole())) {
            // The pre-refinement format: a static reservation for the role.
            out.append("(reservations: [(STATIC,").append(resource.getRole()).append(")])");
        }
        if (resource.hasDisk()) {
            out.append('[');
            if (resource.getDisk().hasPersistence()) {
                out.append(resource.getDisk().getPersistence().getId());
            }
            if (resource.getDisk().hasVolume()) {
                out.append(':').append(resource.getDisk().getVolume().getContainerPath());
            }
            out.append(']');
        }
        if (resource.hasRevocable()) {
            out.append("{REV}");
        }
        if (resource.hasShared()) {
            out.append("<SHARED>");
        }
        return out.toString();
    }

    private static List<long[]> union(List<long[]> a, List<long[]> b) {
        List<long[]> all = new ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        all.sort((x, y) -> Long.compare(x[0], y[0]));
        List<long[]> merged = new ArrayList<>();
        for (long[] range : all) {
            if (!merged.isEmpty() && range[0] <= merged.get(merged.size() - 1)[1] + 1) {
                long[] last = merged.get(merged.size() - 1);
                last[1] = Math.max(last[1], range[1]);
            } else {
                merged.add(new long[] {range[0], range[1]});
            }
        }
        return List.copyOf(merged);
    }

    private static List<long[]> difference(List<long[]> a, List<long[]> b) {
        List<long[]> result = new ArrayList<>();
        for (long[] range : a) {
            List<long[]> pieces = List.of(new long[] {range[0], range[1]});
            for (long[] cut : b) {
                List<long[]> next = new ArrayList<>();
                for (long[] piece : pieces) {
                    if (cut[1] < piece[0] || cut[0] > piece[1]) {
                        next.add(piece);
                        continue;
                    }
                    if (cut[0] > piece[0]) {
                        next.add(new long[] {piece[0], cut[0] - 1});
                    }
                    if (cut[1] < piece[1]) {
                        next.add(new long[] {cut[1] + 1, piece[1]});
                    }
                }
                pieces = next;
            }
            result.addAll(pieces);
        }
        return List.copyOf(result);
    }

    ResourceSet plus(ResourceSet other) {
        Map<Key, Entry> sum = new LinkedHashMap<>(entries);
        other.entries.forEach((key, entry) -> {
            Entry mine = sum.get(key);
            if (mine == null) {
                sum.put(key, entry);
            } else {
                TreeSet<String> items = new TreeSet<>(mine.items());
                items.addAll(entry.items());
                sum.put(
                        key,
                        new Entry(
                                mine.template(),
                                mine.milli() + entry.milli(),
                                union(mine.ranges(), entry.ranges()),
                                items));
            }
        });
        return new ResourceSet(sum);
    }

    /** This minus {@code other}, never below nothing, as {@code Resources::operator-} does it. */
    ResourceSet minus(ResourceSet other) {
        Map<Key, Entry> rest = new LinkedHashMap<>();
        entries.forEach((key, entry) -> {
            Entry taken = other.entries.get(key);
            if (taken == null) {
                rest.put(key, entry);
                return;
            }
            TreeSet<String> items = new TreeSet<>(entry.items());
            items.removeAll(taken.items());
            Entry left = new Entry(
                    entry.template(),
                    Math.max(0, entry.milli() - taken.milli()),
                    difference(entry.ranges(), taken.ranges()),
                    items);
            if (!isEmpty(key, left)) {
                rest.put(key, left);
            }
        });
        return new ResourceSet(rest);
    }

    boolean contains(ResourceSet other) {
        for (Map.Entry<Key, Entry> wanted : other.entries.entrySet()) {
            if (isEmpty(wanted.getKey(), wanted.getValue())) {
                continue;
            }
            Entry have = entries.get(wanted.getKey());
            if (have == null) {
                return false;
            }
            if (have.milli() < wanted.getValue().milli()) {
                return false;
            }
            if (!difference(wanted.getValue().ranges(), have.ranges()).isEmpty()) {
                return false;
            }
            if (!have.items().containsAll(wanted.getValue().items())) {
                return false;
            }
        }
        return true;
    }

    private static boolean isEmpty(Key key, Entry entry) {
        return switch (key.type()) {
            case SCALAR -> entry.milli() == 0;
            case RANGES -> entry.ranges().isEmpty();
            case SET -> entry.items().isEmpty();
            default -> true;
        };
    }

    boolean isEmpty() {
        return entries.entrySet().stream().allMatch(entry -> isEmpty(entry.getKey(), entry.getValue()));
    }

    /** Whether the allocator would offer these: at least {@code cpus:0.01} or {@code mem:32}. */
    boolean allocatable() {
        return scalarMilli("cpus") >= MIN_CPUS_MILLI || scalarMilli("mem") >= MIN_MEM_MILLI;
    }

    private long scalarMilli(String name) {
        return entries.entrySet().stream()
                .filter(entry ->
                        entry.getKey().name().equals(name) && entry.getKey().type() == Value.Type.SCALAR)
                .mapToLong(entry -> entry.getValue().milli())
                .sum();
    }

    /** These resources allocated to {@code role}, as the master hands them to a framework of that role. */
    ResourceSet allocatedTo(String role) {
        Map<Key, Entry> allocated = new LinkedHashMap<>();
        entries.forEach((key, entry) -> {
            Key moved = new Key(key.name(), key.type(), role, key.qualifier());
            Resource template = entry.template().toBuilder()
                    .setAllocationInfo(Resource.AllocationInfo.newBuilder().setRole(role))
                    .build();
            Entry previous = allocated.get(moved);
            allocated.put(
                    moved,
                    previous == null
                            ? new Entry(template, entry.milli(), entry.ranges(), entry.items())
                            : new Entry(
                                    template,
                                    previous.milli() + entry.milli(),
                                    union(previous.ranges(), entry.ranges()),
                                    merge(previous.items(), entry.items())));
        });
        return new ResourceSet(allocated);
    }

    /** These resources without their allocation, as an agent counts them. */
    ResourceSet unallocated() {
        Map<Key, Entry> plain = new LinkedHashMap<>();
        entries.forEach((key, entry) -> {
            Key moved = new Key(key.name(), key.type(), null, key.qualifier());
            Resource template =
                    entry.template().toBuilder().clearAllocationInfo().build();
            Entry previous = plain.get(moved);
            plain.put(
                    moved,
                    previous == null
                            ? new Entry(template, entry.milli(), entry.ranges(), entry.items())
                            : new Entry(
                                    template,
                                    previous.milli() + entry.milli(),
                                    union(previous.ranges(), entry.ranges()),
                                    merge(previous.items(), entry.items())));
        });
        return new ResourceSet(plain);
    }

    private static TreeSet<String> merge(TreeSet<String> a, TreeSet<String> b) {
        TreeSet<String> merged = new TreeSet<>(a);
        merged.addAll(b);
        return merged;
    }

    List<Resource> toProtos() {
        List<Resource> resources = new ArrayList<>();
        entries.forEach((key, entry) -> {
            if (isEmpty(key, entry)) {
                return;
            }
            Resource.Builder resource = entry.template().toBuilder();
            switch (key.type()) {
                case SCALAR -> resource.setScalar(Value.Scalar.newBuilder().setValue(entry.milli() / 1000.0));
                case RANGES -> {
                    Value.Ranges.Builder ranges = Value.Ranges.newBuilder();
                    for (long[] range : entry.ranges()) {
                        ranges.addRange(
                                Value.Range.newBuilder().setBegin(range[0]).setEnd(range[1]));
                    }
                    resource.setRanges(ranges);
                }
                case SET -> resource.setSet(Value.Set.newBuilder().addAllItem(entry.items()));
                default -> {}
            }
            resources.add(resource.build());
        });
        return resources;
    }

    /** The single ports of the {@code ports} ranges, in order. */
    List<Integer> ports() {
        List<Integer> ports = new ArrayList<>();
        entries.forEach((key, entry) -> {
            if (key.name().equals("ports") && key.type() == Value.Type.RANGES) {
                for (long[] range : entry.ranges()) {
                    for (long port = range[0]; port <= range[1] && ports.size() < 65_536; port++) {
                        ports.add((int) port);
                    }
                }
            }
        });
        return ports;
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        entries.forEach((key, entry) -> {
            if (isEmpty(key, entry)) {
                return;
            }
            StringBuilder out = new StringBuilder(key.name());
            if (key.allocationRole() != null) {
                out.append("(allocated: ").append(key.allocationRole()).append(')');
            }
            out.append(key.qualifier()).append(':');
            switch (key.type()) {
                case SCALAR -> out.append(formatScalar(entry.milli()));
                case RANGES ->
                    out.append(entry.ranges().stream()
                            .map(range -> range[0] + "-" + range[1])
                            .collect(Collectors.joining(", ", "[", "]")));
                case SET ->
                    out.append('{').append(String.join(", ", entry.items())).append('}');
                default -> {}
            }
            parts.add(out.toString());
        });
        return String.join("; ", parts);
    }

    /** A scalar as C++'s default stream formatting prints a double: six significant digits, no trailing zeros. */
    private static String formatScalar(long milli) {
        BigDecimal value = BigDecimal.valueOf(milli, 3).round(new MathContext(6));
        String plain = value.stripTrailingZeros().toPlainString();
        return plain.equals("0.0") ? "0" : plain;
    }
}

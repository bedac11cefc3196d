package emp.testsupport.mesos;

import static emp.testsupport.mesos.FrameworkEntry.hasCapability;
import static emp.testsupport.mesos.MesosMessages.error;

import java.util.HashSet;
import java.util.Optional;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.scheduler.Protos.Call;

/**
 * The master's checks of a scheduler call and of a FrameworkInfo, as {@code validation::scheduler::call::validate}
 * and {@code validation::framework::validate} make them, with their messages.
 */
final class MasterValidation {
    private MasterValidation() {}

    /** The checks of {@code validation::scheduler::call::validate}, with its messages. */
    static Optional<String> validate(Call call, Optional<String> authenticated) {
        if (!call.hasType()) {
            return Optional.of("Expecting 'type' to be present");
        }
        if (call.getType() == Call.Type.SUBSCRIBE) {
            if (!call.hasSubscribe()) {
                return Optional.of("Expecting 'subscribe' to be present");
            }
            FrameworkInfo info = call.getSubscribe().getFrameworkInfo();
            if (!info.getId().getValue().equals(call.getFrameworkId().getValue())) {
                return Optional.of("'framework_id' differs from 'subscribe.framework_info.id'");
            }
            if (authenticated.isPresent()
                    && info.hasPrincipal()
                    && !authenticated.get().equals(info.getPrincipal())) {
                return Optional.of("Authenticated principal '" + authenticated.get() + "' does not match principal '"
                        + info.getPrincipal() + "' set in `FrameworkInfo`");
            }
            return Optional.empty();
        }
        if (!call.hasFrameworkId()) {
            return Optional.of("Expecting 'framework_id' to be present");
        }
        return switch (call.getType()) {
            case ACCEPT -> expect(call.hasAccept(), "accept");
            case DECLINE -> expect(call.hasDecline(), "decline");
            case ACCEPT_INVERSE_OFFERS -> expect(call.hasAcceptInverseOffers(), "accept_inverse_offers");
            case DECLINE_INVERSE_OFFERS -> expect(call.hasDeclineInverseOffers(), "decline_inverse_offers");
            case KILL -> expect(call.hasKill(), "kill");
            case SHUTDOWN -> expect(call.hasShutdown(), "shutdown");
            case ACKNOWLEDGE -> {
                if (!call.hasAcknowledge()) {
                    yield Optional.of("Expecting 'acknowledge' to be present");
                }
                yield call.getAcknowledge().getUuid().size() == 16 ? Optional.empty() : Optional.of("Not a valid UUID");
            }
            case ACKNOWLEDGE_OPERATION_STATUS -> {
                if (!call.hasAcknowledgeOperationStatus()) {
                    yield Optional.of("Expecting 'acknowledge_operation_status' to be present");
                }
                if (call.getAcknowledgeOperationStatus().getUuid().size() != 16) {
                    yield Optional.of("Not a valid UUID");
                }
                yield call.getAcknowledgeOperationStatus().hasAgentId()
                        ? Optional.empty()
                        : Optional.of("Expecting 'agent_id' to be present");
            }
            case RECONCILE -> expect(call.hasReconcile(), "reconcile");
            case RECONCILE_OPERATIONS -> expect(call.hasReconcileOperations(), "reconcile_operations");
            case MESSAGE -> expect(call.hasMessage(), "message");
            case REQUEST -> expect(call.hasRequest(), "request");
            case UPDATE_FRAMEWORK -> {
                if (!call.hasUpdateFramework()) {
                    yield Optional.of("Expecting 'update_framework' to be present");
                }
                yield call.getFrameworkId()
                                .getValue()
                                .equals(call.getUpdateFramework()
                                        .getFrameworkInfo()
                                        .getId()
                                        .getValue())
                        ? Optional.empty()
                        : Optional.of("'framework_id' differs from 'update_framework.framework_info.id'");
            }
            default -> Optional.empty();
        };
    }

    private static Optional<String> expect(boolean present, String field) {
        return present ? Optional.empty() : Optional.of("Expecting '" + field + "' to be present");
    }

    static Optional<String> validateFrameworkInfo(FrameworkInfo info) {
        boolean multiRole = hasCapability(info, FrameworkInfo.Capability.Type.MULTI_ROLE);
        if (multiRole) {
            if (info.hasRole()) {
                return Optional.of("'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable");
            }
            if (new HashSet<>(info.getRolesList()).size() != info.getRolesCount()) {
                return Optional.of("'FrameworkInfo.roles' contains duplicate items");
            }
            for (String role : info.getRolesList()) {
                Optional<String> error = validateRole(role);
                if (error.isPresent()) {
                    return Optional.of("'FrameworkInfo.roles' contains invalid role: " + error.get());
                }
            }
        } else {
            if (info.getRolesCount() > 0) {
                return Optional.of(
                        "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable");
            }
            Optional<String> error = validateRole(info.getRole());
            if (error.isPresent()) {
                return Optional.of("'FrameworkInfo.role' is not a valid role: " + error.get());
            }
        }
        if (info.hasId() && !info.getId().getValue().isEmpty()) {
            Optional<String> error = validateId(info.getId().getValue());
            if (error.isPresent()) {
                return error;
            }
        }
        double failover = info.getFailoverTimeout();
        if (Double.isNaN(failover) || Double.isInfinite(failover) || Math.abs(failover) > 9.2e9) {
            return Optional.of("The framework failover_timeout (" + failover + ") is invalid");
        }
        return Optional.empty();
    }

    /** The rules of {@code roles::validate}. */
    private static Optional<String> validateRole(String role) {
        if (role.equals("*")) {
            return Optional.empty();
        }
        if (role.isEmpty()) {
            return Optional.of("Empty role name is invalid");
        }
        if (role.startsWith("/") || role.endsWith("/")) {
            return Optional.of("Role '" + role + "' cannot start or end with a slash");
        }
        for (String part : role.split("/")) {
            if (part.isEmpty() || part.equals(".") || part.equals("..") || part.startsWith("-")) {
                return Optional.of("Role '" + role + "' has an invalid path component '" + part + "'");
            }
            if (part.chars().anyMatch(c -> c <= ' ' || c == 127 || c == '\\')) {
                return Optional.of("Role '" + role + "' cannot contain whitespace, control characters or '\\'");
            }
        }
        return Optional.empty();
    }

    /** The rules of {@code common::validation::validateID}. */
    static Optional<String> validateId(String id) {
        if (id.isEmpty()) {
            return Optional.of("ID must not be empty");
        }
        if (id.length() > 255) {
            return Optional.of("ID must not be greater than 255 characters");
        }
        if (id.equals(".") || id.equals("..")) {
            return Optional.of("'" + id + "' is disallowed");
        }
        if (id.chars().anyMatch(c -> Character.isISOControl(c) || c == '/' || c == '\\')) {
            return Optional.of("'/', '\\' and control characters are not allowed in ID '" + id + "'");
        }
        return Optional.empty();
    }
}

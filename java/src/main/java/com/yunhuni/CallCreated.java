package com.yunhuni;

import java.util.Map;
import java.util.Objects;

/** A call the platform accepted: its id (events carry it as {@code id}) and the echoed {@code userData}. */
public final class CallCreated {
    private final String callId;
    private final String userData;

    public CallCreated(String callId, String userData) {
        this.callId = Objects.requireNonNull(callId, "callId");
        this.userData = userData;
    }

    static CallCreated fromNative(Object value) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) value;
        return new CallCreated((String) m.get("callId"), (String) m.get("userData"));
    }

    /** The platform's id for the call (32 lowercase hex characters). */
    public String callId() {
        return callId;
    }

    /** The {@code userData} echoed back, or null when none was given. */
    public String userData() {
        return userData;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CallCreated)) {
            return false;
        }
        CallCreated c = (CallCreated) o;
        return callId.equals(c.callId) && Objects.equals(userData, c.userData);
    }

    @Override
    public int hashCode() {
        return Objects.hash(callId, userData);
    }

    @Override
    public String toString() {
        return "CallCreated(callId=" + callId + ", userData=" + userData + ")";
    }
}

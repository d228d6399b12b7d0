package io.microstore.etcd.gateway;

/**
 * What one member says about itself: server version, the store revision it has applied, the id of the
 * leader it follows (0 when it has none) and its own id (ids are unsigned 64-bit; compare with equals).
 */
public record MemberStatus(String version, long revision, long leaderId, long memberId) {
    /** True when this member is the leader. */
    public boolean isLeader() {
        return leaderId != 0 && leaderId == memberId;
    }
}

package io.microstore.etcd.gateway;

/** A lease etcd granted: its id and the TTL it granted in seconds (at least etcd's minimum, whatever was asked). */
public record Lease(long id, long ttl) {}

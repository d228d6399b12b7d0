/**
 * Who may call the API, and from where: {@code CorsFilter} lets the listed browser origins in,
 * {@code BearerAuth} asks for the token when one is set, {@code FailedAuthLimit} refuses an address
 * that failed it too often, {@code AuditLog} writes down each request's decision. Filters in front of the services, answering a
 * refusal with the services' problem+json; a room of its own because what a caller may do will grow here
 * (scoped keys) without touching the services.
 */
package io.microstore.api.access;

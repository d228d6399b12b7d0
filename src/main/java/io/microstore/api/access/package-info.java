/**
 * Who may call the API, and from where: {@code CorsFilter} lets the listed browser origins in, {@code KeyAuth}
 * resolves each request's key (bearer secret or client certificate, {@code ClientCertificate}) into the request's
 * {@code Caller}, {@code FailedAuthLimit} refuses an address that failed too often, {@code AuditLog} writes down
 * each request's decision. Filters in front of the services, answering a refusal with the services' problem+json;
 * what a caller may do with a name is the services' call ({@code api.Authorize}), made before the store is touched.
 */
package io.microstore.api.access;

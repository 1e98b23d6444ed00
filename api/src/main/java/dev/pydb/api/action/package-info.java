/**
 * The action SPI: one {@link dev.pydb.api.action.ActionHandler} per protocol action.
 *
 * <h2>Lifecycle</h2>
 * The engine creates each handler once at start through {@link java.util.ServiceLoader} (public
 * no-argument constructor; it must not do I/O or throw), registers it under its
 * {@link dev.pydb.api.action.ActionHandler#action()} name, and calls
 * {@link dev.pydb.api.action.ActionHandler#handle} for every matching request until shutdown.
 * A handler of a plugin is called with the plugin's class loader as the thread context class
 * loader.
 *
 * <h2>Thread safety</h2>
 * {@code handle} is called concurrently from many threads (virtual threads), so handlers must be
 * stateless or thread-safe. A {@link dev.pydb.api.action.RequestContext} belongs to one call.
 *
 * <h2>Errors</h2>
 * Throw {@link dev.pydb.api.PydbException} with a protocol code; messages go to the client. Any
 * other exception becomes {@code INTERNAL}: logged with a stack trace and an incident id, the
 * client sees only the id.
 */
package dev.pydb.api.action;

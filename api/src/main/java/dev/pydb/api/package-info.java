/**
 * The py_db API: what storage and action plugins compile against. {@link dev.pydb.api.ErrorCode}
 * lists the protocol's error codes and {@link dev.pydb.api.PydbException} carries one;
 * {@link dev.pydb.api.ApiVersion} is the api's own version, which the server checks against the
 * version a plugin was built with.
 *
 * <h2>What the server shares with plugins, and why</h2>
 * The api depends on Jackson and SLF4J only. A plugin gets its own class loader that sees the JDK,
 * its own jars, and from the server exactly these packages:
 * <ul>
 *   <li>{@code dev.pydb.api} — the SPI itself: server and plugin must agree on its types;</li>
 *   <li>{@code com.fasterxml.jackson.core}, {@code .databind}, {@code .annotation} — the api's
 *       signatures use {@code JsonNode}, {@code ObjectNode} and {@code ObjectMapper}, and a JVM
 *       cannot link one class against two copies of them. This pins every plugin to the server's
 *       Jackson version (2.21.x); that is part of the contract. Other Jackson packages (modules,
 *       data formats) are not shared;</li>
 *   <li>{@code org.slf4j} — so a plugin's log lines reach the server's log.</li>
 * </ul>
 * Everything else is the plugin's own, so two plugins may carry different versions of a library.
 * Every call from the server into a plugin runs with the plugin's class loader as the thread
 * context class loader.
 */
package dev.pydb.api;

/**
 * Server-side publishers that feed the demo pages under {@code /} (the live dashboard, the notification feed, the
 * token stream): {@link dev.herald.server.demo.DemoPublishers} starts them when the server runs with
 * {@code --demo}. They publish to {@code demo.*} channels through {@link dev.herald.core.HeraldNode#publish} like any
 * backend would, at a bounded rate, on one daemon thread, and stop when the server closes.
 */
@NullMarked
package dev.herald.server.demo;

import org.jspecify.annotations.NullMarked;

/**
 * HTTP/1.1 plumbing: the pipeline, routing by path, the publish and history endpoints, static pages, and the
 * error bodies every endpoint shares.
 */
@NullMarked
package dev.herald.server.http;

import org.jspecify.annotations.NullMarked;

/** Server machinery shared by the transports: JSON bodies and the registry of live connections. Not an API. */
@NullMarked
package dev.herald.server.internal;

import org.jspecify.annotations.NullMarked;

/** Herald's machinery behind {@link dev.herald.core.HeraldNode}: the hub that fans messages out. Not an API. */
@NullMarked
package dev.herald.core.internal;

import org.jspecify.annotations.NullMarked;

# shellcheck shell=bash
# Shared helpers for Herald's scripts. Source it; do not run it.
#
#   herald_find_java            pick a JDK >= 21, export JAVA_HOME, put it first on PATH
#   herald_ensure_apt SPEC...   install Debian packages whose binary is missing
#                               SPEC is PKG or PKG:BINARY (BINARY: command name or absolute path)
#   herald_ensure_maven         make sure `mvn` is available (Debian package maven)
#   herald_section TITLE        print a section header

HERALD_MIN_JAVA=${HERALD_MIN_JAVA:-21}

herald_log() { printf '%s\n' "$*" >&2; }
herald_die() { printf 'error: %s\n' "$*" >&2; return 1; }

herald_section() {
  printf '\n==> %s\n' "$*"
}

# Print the major version of the java binary $1, or nothing if it cannot be run.
# Handles "1.8.0_392", "17.0.15", "21.0.1", "25", "25-ea".
herald_java_major() {
  local java=$1 line ver major
  [ -x "$java" ] || return 1
  line=$("$java" -version 2>&1 | grep -m1 -E 'version "[^"]+"') || return 1
  ver=${line#*version \"}
  ver=${ver%%\"*}
  major=${ver%%[.+-]*}
  if [ "$major" = 1 ]; then          # 1.8.0_xxx -> 8
    major=${ver#1.}
    major=${major%%[.+_-]*}
  fi
  case $major in ''|*[!0-9]*) return 1 ;; esac
  printf '%s\n' "$major"
}

# Check one JAVA_HOME candidate; on success set HERALD_JAVA_HOME and HERALD_JAVA_MAJOR.
# On failure append a note to HERALD_JAVA_TRIED.
_herald_try_java_home() {
  local home=$1 from=$2 major
  if [ ! -x "$home/bin/java" ]; then
    HERALD_JAVA_TRIED+="  $from: $home (no bin/java)"$'\n'
    return 1
  fi
  if ! major=$(herald_java_major "$home/bin/java"); then
    HERALD_JAVA_TRIED+="  $from: $home (java -version failed)"$'\n'
    return 1
  fi
  if [ "$major" -lt "$HERALD_MIN_JAVA" ]; then
    HERALD_JAVA_TRIED+="  $from: $home (Java $major, too old)"$'\n'
    return 1
  fi
  if [ ! -x "$home/bin/javac" ]; then
    HERALD_JAVA_TRIED+="  $from: $home (Java $major, but no javac: a JRE, not a JDK)"$'\n'
    return 1
  fi
  HERALD_JAVA_HOME=$home
  HERALD_JAVA_MAJOR=$major
  return 0
}

herald_find_java() {
  local candidate resolved home major line
  HERALD_JAVA_TRIED=""
  HERALD_JAVA_HOME=""

  # 1. $JAVA_HOME
  if [ -n "${JAVA_HOME:-}" ] && _herald_try_java_home "${JAVA_HOME%/}" "JAVA_HOME"; then
    :
  else
    [ -n "${JAVA_HOME:-}" ] || HERALD_JAVA_TRIED+="  JAVA_HOME: not set"$'\n'
    # 2. java on PATH (resolve symlinks, e.g. /usr/bin/java -> /etc/alternatives/... -> JDK)
    if candidate=$(command -v java 2>/dev/null) && resolved=$(readlink -f "$candidate") \
        && home=$(dirname "$(dirname "$resolved")") && _herald_try_java_home "$home" "java on PATH ($candidate)"; then
      :
    else
      command -v java >/dev/null 2>&1 || HERALD_JAVA_TRIED+="  java on PATH: none"$'\n'
      # 3. /usr/lib/jvm/*, newest major version first
      local sorted=""
      for home in /usr/lib/jvm/*/; do
        home=${home%/}
        [ -d "$home" ] || continue
        if major=$(herald_java_major "$home/bin/java"); then
          sorted+="$major $home"$'\n'
        else
          sorted+="0 $home"$'\n'
        fi
      done
      [ -n "$sorted" ] || HERALD_JAVA_TRIED+="  /usr/lib/jvm: no JDKs"$'\n'
      while read -r major home; do
        [ -n "$home" ] || continue
        if _herald_try_java_home "$home" "/usr/lib/jvm"; then break; fi
      done < <(printf '%s' "$sorted" | sort -t' ' -k1,1nr -k2,2r)
    fi
  fi

  if [ -z "$HERALD_JAVA_HOME" ]; then
    herald_die "no JDK >= $HERALD_MIN_JAVA found (need java and javac). Tried:"$'\n'"$HERALD_JAVA_TRIED""Install one (e.g. a Temurin JDK $HERALD_MIN_JAVA+) and set JAVA_HOME to it."
    return 1
  fi
  export JAVA_HOME=$HERALD_JAVA_HOME
  case ":$PATH:" in
    "$JAVA_HOME/bin:"*) ;;
    *) export PATH="$JAVA_HOME/bin:$PATH" ;;
  esac
  return 0
}

# Is BINARY (command name or absolute path) present?
_herald_have() {
  case $1 in
    /*) [ -x "$1" ] ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

HERALD_APT_UPDATED=${HERALD_APT_UPDATED:-}

herald_ensure_apt() {
  local spec pkg bin missing=() sudo=""
  for spec in "$@"; do
    pkg=${spec%%:*}
    bin=${spec#*:}
    [ "$spec" = "$pkg" ] && bin=$pkg
    _herald_have "$bin" || missing+=("$pkg")
  done
  [ ${#missing[@]} -gt 0 ] || return 0

  herald_log "installing Debian packages: ${missing[*]}"
  if ! command -v apt-get >/dev/null 2>&1; then
    herald_die "missing ${missing[*]} and apt-get is not available: install them by hand"
    return 1
  fi
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo -n"
    else
      herald_die "missing ${missing[*]}: need root (or passwordless sudo) to apt-get install them"
      return 1
    fi
  fi
  # Wait for another apt/dpkg run (e.g. unattended upgrades) instead of failing at once.
  local apt_opts=(-o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0)
  if [ -z "$HERALD_APT_UPDATED" ]; then
    if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" -qq update </dev/null; then
      herald_die "apt-get update failed (needed to install ${missing[*]})"
      return 1
    fi
    HERALD_APT_UPDATED=1
  fi
  if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" -y -qq install "${missing[@]}" </dev/null >/dev/null; then
    herald_die "apt-get install ${missing[*]} failed"
    return 1
  fi
  for spec in "$@"; do
    pkg=${spec%%:*}
    bin=${spec#*:}
    [ "$spec" = "$pkg" ] && bin=$pkg
    if ! _herald_have "$bin"; then
      herald_die "installed $pkg but $bin is still missing"
      return 1
    fi
  done
  return 0
}

# Ensure `mvn` is present. Also, on JDK 23+, silence the sun.misc.Unsafe warnings that
# Debian's Maven 3.8 (its bundled Guava) prints at every start: run herald_find_java first.
herald_ensure_maven() {
  herald_ensure_apt maven:mvn || return 1
  if [ "${HERALD_JAVA_MAJOR:-0}" -ge 23 ]; then
    case " ${MAVEN_OPTS:-} " in
      *" --sun-misc-unsafe-memory-access="*) ;;
      *) export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow" ;;
    esac
  fi
}

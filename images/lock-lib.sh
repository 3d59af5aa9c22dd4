# Helpers shared by images/lock.sh and the image builds: read the locks and check an image's
# installed packages against them. Sourced, not run.
# shellcheck shell=bash

# The name==version lines of a requirements lock (names in canonical form, sorted).
lock_pins() { grep -E '^[a-z0-9]' "$1" | sed -E 's/ *\\$//' | sort; }

# pip freeze output in the lock's form: canonical names, sorted. pip and setuptools are left out
# unless the lock lists them (when no locked package needs them they are the venv's own, from
# Debian's python3-pip-whl / python3-setuptools-whl, pinned by debian.lock).
freeze_pins() { # freeze-file [names to keep even if pip/setuptools]
  awk -F'==' -v keep=" ${2:-} " 'NF == 2 { n = tolower($1); gsub(/[-_.]+/, "-", n);
    if ((n != "pip" && n != "setuptools") || index(keep, " " n " ")) print n "==" $2 }' "$1" | sort
}

# Compares a `pip freeze --all` file with a requirements lock; exits 1 with a clear message.
verify_python() { # freeze-file lock-file image-name
  local keep d; keep=$(lock_pins "$2" | sed 's/==.*//' | grep -xE 'pip|setuptools' | paste -sd' ' - || true)
  d=$(diff <(lock_pins "$2") <(freeze_pins "$1" "$keep") || true)
  if [ -n "$d" ]; then
    printf '[image %s] the installed Python packages differ from %s (< lock, > installed):\n%s\n' "$3" "${2#"$IMAGES_DIR"/}" "$d" >&2
    printf '[image %s] refresh the lock with: images/lock.sh %s\n' "$3" "$3" >&2
    exit 1
  fi
}

# Compares a dpkg-query list (name=version) with a Debian lock; exits 1 with a clear message.
verify_debian() { # dpkg-file lock-file image-name
  local d; d=$(diff <(grep -v '^#' "$2" | sort) <(sort "$1") || true)
  if [ -n "$d" ]; then
    printf '[image %s] the Debian mirror moved: installed packages differ from %s (< lock, > installed):\n%s\n' "$3" "${2#"$IMAGES_DIR"/}" "$d" >&2
    printf '[image %s] refresh the locks with: images/lock.sh base (then images/lock.sh <each other image>)\n' "$3" >&2
    exit 1
  fi
}

# The version debian.lock pins for a package ("name=version" for apt-get install).
debian_pin() { # lock-file package
  local v; v=$(grep -m1 "^$2=" "$1" | cut -d= -f2-) || true
  [ -n "$v" ] || { printf '[image base] %s is not in %s: run images/lock.sh base\n' "$2" "$1" >&2; exit 1; }
  echo "$2=$v"
}

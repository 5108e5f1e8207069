#!/usr/bin/env bash
# Install the speech engines of the corpus from Debian main (idempotent; run as root).
#
#   tools/setup/install_engines.sh            espeak-ng, festival (+ lexicons, kal, ked, slt-hts), flite, sox
#   tools/setup/install_engines.sh --mbrola   also MBROLA English voices from contrib/non-free (opt-in:
#                                       restrictive licences, see docs/corpus.md)
#
# festvox-kallpc8k/kdlpc8k are the same speakers at 8 kHz and conflict with the 16 kHz packages,
# so they are left out; the other festvox packages in Debian main are not English.
set -euo pipefail

with_mbrola=0
for arg in "$@"; do
    case "$arg" in
        --mbrola) with_mbrola=1 ;;
        -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
        *) echo "install_engines.sh: unknown argument '$arg' (only --mbrola)" >&2; exit 2 ;;
    esac
done

if [ "$(id -u)" -ne 0 ]; then
    echo "install_engines.sh: run as root (it calls apt-get install)." >&2
    exit 1
fi

main_packages=(espeak-ng espeak-ng-data libespeak-ng1 festival festlex-cmu festlex-poslex
    festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts flite sox)
mbrola_packages=(mbrola mbrola-us1 mbrola-us2 mbrola-en1)

missing_packages() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
    done
}

if [ "$with_mbrola" -eq 1 ]; then
    list=/etc/apt/sources.list.d/debian-contrib-non-free.sources
    if [ ! -f "$list" ]; then
        cat > "$list" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: contrib non-free
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
        rm -f /var/lib/apt/lists/*contrib*Packages* 2>/dev/null || true
    fi
    main_packages+=("${mbrola_packages[@]}")
fi

mapfile -t todo < <(missing_packages "${main_packages[@]}")
if [ "${#todo[@]}" -gt 0 ]; then
    # apt-get update only when a package has no install candidate yet (fresh machine or a new
    # component). Not `apt-cache show`: it succeeds for a package that is only referred to by
    # another one (espeak-ng suggests mbrola) while no source offers it.
    for p in "${todo[@]}"; do
        candidate=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
        if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
            apt-get update -q
            break
        fi
    done
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${todo[@]}"
fi

status=0
check() {  # check <description> <test command...>
    local what="$1"; shift
    if "$@" >/dev/null 2>&1; then
        echo "ok      $what"
    else
        echo "MISSING $what" >&2
        status=1
    fi
}
check "espeak-ng binary" command -v espeak-ng
check "libespeak-ng.so.1" sh -c 'ldconfig -p | grep -q libespeak-ng.so.1'
check "festival binary" command -v festival
check "flite binary" command -v flite
check "sox binary" command -v sox
check "festival voice kal_diphone" test -d /usr/share/festival/voices/english/kal_diphone
check "festival voice ked_diphone" test -d /usr/share/festival/voices/english/ked_diphone
check "festival voice cmu_us_slt_arctic_hts" \
    test -d /usr/share/festival/voices/us/cmu_us_slt_arctic_hts
check "festival CMU lexicon" test -d /usr/share/festival/dicts/cmu
if [ "$with_mbrola" -eq 1 ]; then
    check "mbrola binary" command -v mbrola
    for v in us1 us2 en1; do check "mbrola voice $v" test -e "/usr/share/mbrola/$v/$v"; done
fi
if [ "$status" -ne 0 ]; then
    echo "install_engines.sh: some engines are missing (see MISSING above); apt-get install failed?" >&2
    exit 1
fi
echo "install_engines.sh: all speech engines present."

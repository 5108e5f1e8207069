"""The dev set's third batch: single words and short phrases spoken in three Debian packages.

Added on 2026-12-07 (docs/devset.md, "Third batch") to bring the report half past 300 p/b/m:

- Debian `tuxpaint-stamps-default` (GPL-2): the spoken English descriptions of Tux Paint's
  animal stamps (`<stamp>_desc.ogg`; the other languages have a `_desc_<lang>.ogg` suffix), one
  voice (F by pitch);
- Debian `klettres-data` (GPL-2+): KLettres' spoken English letters and short words, an American
  (`en`, M by pitch) and a British (`en_GB`, F by pitch) voice;
- Debian `openarena-081-misc` (GPL-2+): OpenArena's announcer (Fuzztooth, M), acted game voice
  lines inside `pak6-misc.pk3` (a zip), named by their words.

The words are those of the stamp's text file (Tux Paint) or of the file name (KLettres,
OpenArena; an announcer line's exact wording was chosen among a few candidates). Only
recordings whose words two closed-set decodes with pocketsphinx agreed on are used, with the
article as heard (docs/devset.md says how and lists the ones left out). Evaluation only.
"""

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from .devset_more_sources import _read_audio
from .devset_registry import Package, deb_members, fetch
from .devset_sources import RawClip

TUXPAINT = Package(
    "tuxpaint-stamps-default",
    "2022.06.04-1",
    "tuxpaint-stamps-default_2022.06.04-1_all.deb",
    "6db6c1bfc870a47f1499d6203b083522eacb57c5f9c87d468f2e92eb6d9d5f34",
    "debian",
)
KLETTRES = Package(
    "klettres-data",
    "4:22.12.3-1",
    "klettres-data_4%3a22.12.3-1_all.deb",
    "1186d257a19e84230856baea0b0b1ded8be9195080fcdb2588970b5cd937f5a8",
    "debian",
)
OPENARENA = Package(
    "openarena-081-misc",
    "0.8.5split-14",
    "openarena-081-misc_0.8.5split-14_all.deb",
    "1cc4c96b334e50a54e3b20b6ef0f2e8112b391afc33de024b7d7db3fa6ebf702",
    "debian",
)
PACKAGES = (TUXPAINT, KLETTRES, OPENARENA)

LICENCE_TUXPAINT = "GPL-2 (Tux Paint stamps, Debian tuxpaint-stamps-default copyright)"
LICENCE_KLETTRES = "GPL-2+ (KDE KLettres, Debian klettres-data copyright)"
LICENCE_OPENARENA = "GPL-2+ (OpenArena, announcer by Fuzztooth; Debian openarena-081-misc)"

_STAMPS = "usr/share/tuxpaint/stamps/animals/"
# (stamp under stamps/animals/, words as spoken): the stamp's English text, its article kept
# only where both decodes heard it ("mountaingoat" is spoken "mountain goat").
TUXPAINT_CLIPS = (
    ("amphibians/frog", "a frog"),
    ("birds/blackbird", "blackbird"),
    ("birds/crow", "crow"),
    ("birds/cuckoo", "cuckoo"),
    ("birds/gander", "gander"),
    ("birds/penguin", "penguin"),
    ("birds/quetzal", "quetzal"),
    ("birds/turkey", "turkey"),
    ("birds/vulture", "a vulture"),
    ("insects/bee", "bee"),
    ("insects/fly", "a fly"),
    ("insects/grasshopper", "grasshopper"),
    ("insects/hornet", "a hornet"),
    ("mammals/apes/chimp", "chimpanzee"),
    ("mammals/apes/gorilla", "gorilla"),
    ("mammals/aquatic/whale", "whale"),
    ("mammals/badger", "badger"),
    ("mammals/bovines/bison", "a bison"),
    ("mammals/bovines/cow", "cow"),
    ("mammals/bovines/mountaingoat", "mountain goat"),
    ("mammals/bovines/ram", "a ram"),
    ("mammals/bovines/yak", "yak"),
    ("mammals/camel/camel", "camel"),
    ("mammals/camel/dromedary", "dromedary"),
    ("mammals/cats/lion", "a lion"),
    ("mammals/cats/tiger", "tiger"),
    ("mammals/deer/deer", "deer"),
    ("mammals/deer/doe", "a doe"),
    ("mammals/deer/wapiti", "wapiti"),
    ("mammals/dogs/dog", "dog"),
    ("mammals/elephant", "elephant"),
    ("mammals/equines/donkey", "donkey"),
    ("mammals/equines/horse", "horse"),
    ("mammals/equines/zebra", "a zebra"),
    ("mammals/giraffe", "giraffe"),
    ("mammals/hippopotamus", "hippopotamus"),
    ("mammals/pig", "pig"),
    ("mammals/rodents/beaver", "beaver"),
    ("mammals/rodents/mouse", "a mouse"),
    ("mammals/rodents/rabbit", "rabbit"),
    ("mammals/wildboar", "two wild boars"),
    ("marsupials/koala", "koala"),
    ("marsupials/wallaby", "wallaby"),
    ("marsupials/wombat", "a wombat"),
)
_KLETTRES = "usr/share/klettres/"
# (language folder, speaker group, sex by pitch, files under alpha/ and syllab/ whose name is
# the word spoken: a letter's name, or a short word).
KLETTRES_VOICES = (
    (
        "en",
        "klettres-en",
        "M",
        "alpha/B alpha/C alpha/F alpha/I alpha/J alpha/K alpha/L alpha/M alpha/N alpha/O "
        "alpha/Q alpha/R alpha/T alpha/U alpha/V alpha/W alpha/X alpha/Y alpha/Z syllab/car "
        "syllab/dog syllab/fix syllab/gas syllab/gem syllab/hot syllab/me syllab/my syllab/no "
        "syllab/saw syllab/say syllab/sit syllab/sky".split(),
    ),
    (
        "en_GB",
        "klettres-en-gb",
        "F",
        "alpha/b alpha/f alpha/i alpha/j alpha/l alpha/n alpha/q alpha/s alpha/w alpha/y "
        "syllab/dog syllab/fix syllab/gas syllab/gem syllab/hot syllab/hut syllab/jet syllab/me "
        "syllab/my syllab/no syllab/pet syllab/saw syllab/sky syllab/well".split(),
    ),
)

_PK3 = "usr/share/games/openarena/baseoa/pak6-misc.pk3"
# (sound under sound/ in the pk3, words as spoken: among the candidate wordings of the line,
# the one both decodes heard).
OPENARENA_CLIPS = (
    ("feedback/1_frag", "one frag remaining"),
    ("feedback/3_frags", "three frags remaining"),
    ("feedback/5_minute", "five minute warning"),
    ("feedback/accuracy", "accuracy"),
    ("feedback/assist", "assist"),
    ("feedback/blueleads", "blue leads"),
    ("feedback/redleads", "red leads"),
    ("feedback/defense", "defense"),
    ("feedback/denied", "denied"),
    ("feedback/excellent", "excellent"),
    ("feedback/fight", "fight"),
    ("feedback/humiliation", "humiliation"),
    ("feedback/one", "one"),
    ("feedback/two", "two"),
    ("feedback/three", "three"),
    ("feedback/perfect", "perfect"),
    ("feedback/prepare", "prepare to fight"),
    ("feedback/sudden_death", "sudden death"),
    ("feedback/teamstied", "teams are tied"),
    ("feedback/vote_failed", "vote failed"),
    ("teamplay/voc_base_attack", "your base is under attack"),
    ("teamplay/voc_blue_returned", "blue flag returned"),
    ("teamplay/voc_blue_scores", "blue scores"),
    ("teamplay/voc_red_scores", "red scores"),
    ("teamplay/voc_enemy_flag", "the enemy has your flag"),
    ("teamplay/voc_enemy_1flag", "the enemy has the flag"),
    ("teamplay/voc_team_flag", "your team has the enemy flag"),
    ("teamplay/voc_team_1flag", "your team has the flag"),
    ("teamplay/voc_you_flag", "you have the flag"),
)


def tuxpaint_clips(deb: Path) -> Iterator[RawClip]:
    """The spoken descriptions of Tux Paint's animal stamps."""
    members = deb_members(deb, {f"{_STAMPS}{stamp}_desc.ogg" for stamp, _ in TUXPAINT_CLIPS})
    for stamp, text in TUXPAINT_CLIPS:
        member = f"{_STAMPS}{stamp}_desc.ogg"
        samples, rate = _read_audio(members[member])
        yield RawClip(
            f"tuxpaint-{stamp.rsplit('/', 1)[-1]}",
            samples,
            rate,
            text,
            f"Debian tuxpaint-stamps-default {TUXPAINT.version}: /{member}",
            "tuxpaint-stamps",
            "F",
            LICENCE_TUXPAINT,
        )


def klettres_clips(deb: Path) -> Iterator[RawClip]:
    """KLettres' spoken English letters and words, two voices."""
    wanted = {
        f"{_KLETTRES}{lang}/{name}.ogg" for lang, _, _, names in KLETTRES_VOICES for name in names
    }
    members = deb_members(deb, wanted)
    for lang, speaker, sex, names in KLETTRES_VOICES:
        for name in names:
            member = f"{_KLETTRES}{lang}/{name}.ogg"
            samples, rate = _read_audio(members[member])
            word = name.split("/")[1].lower()
            yield RawClip(
                f"{speaker}-{name.replace('/', '-').lower()}",
                samples,
                rate,
                word,
                f"Debian klettres-data {KLETTRES.version}: /{member}",
                speaker,
                sex,
                LICENCE_KLETTRES,
            )


def openarena_clips(deb: Path) -> Iterator[RawClip]:
    """OpenArena's announcer lines, read from the pk3 inside the Debian package."""
    with zipfile.ZipFile(io.BytesIO(deb_members(deb, {_PK3})[_PK3])) as pk3:
        sounds = {sound: pk3.read(f"sound/{sound}.wav") for sound, _ in OPENARENA_CLIPS}
    for sound, text in OPENARENA_CLIPS:
        samples, rate = _read_audio(sounds[sound])
        yield RawClip(
            f"openarena-{sound.rsplit('/', 1)[-1].replace('_', '-')}",
            samples,
            rate,
            text,
            f"Debian openarena-081-misc {OPENARENA.version}: /{_PK3} sound/{sound}.wav",
            "openarena-announcer",
            "M",
            LICENCE_OPENARENA,
        )


def iter_word_clips(deb_dir: Path) -> Iterator[RawClip]:
    """Every recording of the third batch, in a fixed order."""
    yield from tuxpaint_clips(fetch(TUXPAINT, deb_dir))
    yield from klettres_clips(fetch(KLETTRES, deb_dir))
    yield from openarena_clips(fetch(OPENARENA, deb_dir))

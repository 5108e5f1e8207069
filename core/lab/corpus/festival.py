"""festival voices with segment timings (`utt.save.segs`), many utterances per process.

A `.segs` file lists each segment's end time: `0.2200 100 b`. US voices use the "radio" phone
set, British ones (Debian contrib: rab, don) MRPA; both map to ARPAbet in `phones`.
"""

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import soundfile

from ...audio.prepare import SAMPLE_RATE, resample
from ...errors import CorpusError
from ...phones.phone_set import Phone
from .engine_phones import festival_to_arpabet
from .synthesis import Synthesis, cover_audio


@dataclass(frozen=True)
class FestivalVoice:
    name: str  # short name used in the corpus ("kal")
    command: str  # festival's voice function ("voice_kal_diphone")
    phone_set: str  # "radio" or "mrpa"
    licence_note: str


VOICES: dict[str, FestivalVoice] = {
    v.name: v
    for v in (
        FestivalVoice("kal", "voice_kal_diphone", "radio", "Debian main, festvox-kallpc16k"),
        FestivalVoice("ked", "voice_ked_diphone", "radio", "Debian main, festvox-kdlpc16k"),
        FestivalVoice(
            "slt-hts", "voice_cmu_us_slt_arctic_hts", "radio", "Debian main, festvox-us-slt-hts"
        ),
        FestivalVoice("rab", "voice_rab_diphone", "mrpa", "Debian contrib, festvox-rablpc16k"),
        FestivalVoice("don", "voice_don_diphone", "mrpa", "Debian contrib, festvox-don"),
    )
}
TIMEOUT_S_PER_UTTERANCE = 30.0


def _festival() -> str:
    path = shutil.which("festival")
    if path is None:
        raise CorpusError("festival is not installed; run `sudo tools/setup/install_engines.sh`.")
    return path


@lru_cache(maxsize=1)
def installed_voices() -> tuple[str, ...]:
    """Short names of the festival voices in VOICES that this machine has."""
    result = subprocess.run(
        [_festival(), "--batch", "(print (voice.list))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    listed = set(result.stdout.strip("()\n ").split())
    return tuple(v.name for v in VOICES.values() if v.command.removeprefix("voice_") in listed)


def _scheme_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_segs(text: str, phone_set: str) -> list[Phone]:
    """Phones from a festival `.segs` file (header up to "#", then "end_s 100 name" lines)."""
    lines = text.splitlines()
    if "#" not in lines:
        raise CorpusError("festival .segs file without its '#' header line.")
    phones: list[Phone] = []
    start_s = 0.0
    for line in lines[lines.index("#") + 1 :]:
        fields = line.split()
        if len(fields) != 3:
            continue
        end_s = float(fields[0])
        labels = festival_to_arpabet(fields[2], phone_set)
        if end_s > start_s:
            step = (end_s - start_s) / len(labels)
            for j, label in enumerate(labels):
                phones.append(Phone(start_s + j * step, start_s + (j + 1) * step, label))
            start_s = end_s
    return phones


def synthesize_batch(
    texts: list[str], voice: str = "kal", duration_stretch: list[float] | None = None
) -> list[Synthesis]:
    """Speak each text with one festival voice in one festival process (stretch >1 is slower)."""
    if voice not in VOICES:
        raise CorpusError(f"Unknown festival voice '{voice}'; known: {', '.join(VOICES)}.")
    if voice not in installed_voices():
        raise CorpusError(
            f"festival voice '{voice}' is not installed ({VOICES[voice].licence_note})."
        )
    spec = VOICES[voice]
    stretches = duration_stretch or [1.0] * len(texts)
    with tempfile.TemporaryDirectory(prefix="festival-") as tmp:
        folder = Path(tmp)
        lines = [f"({spec.command})"]
        for i, (text, stretch) in enumerate(zip(texts, stretches, strict=False)):
            lines += [
                f"(Parameter.set 'Duration_Stretch {float(stretch):.3f})",
                f"(set! utt (utt.synth (Utterance Text {_scheme_string(text)})))",
                f'(utt.save.wave utt "{folder / f"{i}.wav"}" \'riff)',
                f'(utt.save.segs utt "{folder / f"{i}.segs"}")',
            ]
        script = folder / "batch.scm"
        script.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            result = subprocess.run(
                [_festival(), "--batch", str(script)],
                capture_output=True,
                text=True,
                timeout=60 + TIMEOUT_S_PER_UTTERANCE * len(texts),
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise CorpusError(f"festival ({voice}) timed out on {len(texts)} texts.") from None
        out: list[Synthesis] = []
        for i, text in enumerate(texts):
            wav, segs = folder / f"{i}.wav", folder / f"{i}.segs"
            if not wav.exists() or not segs.exists():
                raise CorpusError(
                    f"festival ({voice}) failed on '{text[:60]}': {result.stderr.strip()[-300:]}"
                )
            samples, rate = soundfile.read(str(wav), dtype="float32")
            audio = resample(samples, rate, SAMPLE_RATE)
            phones = parse_segs(segs.read_text(encoding="utf-8"), spec.phone_set)
            phones = cover_audio(phones, len(audio) / SAMPLE_RATE)
            out.append(Synthesis(audio, phones, phones))
    return out

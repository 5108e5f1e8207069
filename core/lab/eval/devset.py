"""The real-speech dev set: build it (`python -m core.lab.eval.devset --out data/devset`), load it.

On disk: `<clip_id>.wav` (16 kHz mono PCM16) and `<clip_id>.json` (text, source, speaker, sex,
licence, phones from pocketsphinx forced alignment) per clip, `manifest.json` (clip ids in
order) and `summary.md`. Building is deterministic: fixed sources, fixed order, fixed dither.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from ...audio.prepare import SAMPLE_RATE, prepare_samples
from ...errors import CorpusError, LipSyncError
from ...phones.phone_set import Phone
from .devset_clip import DevClip
from .devset_more_sources import PACKAGES as MORE_PACKAGES
from .devset_more_sources import iter_more_clips
from .devset_registry import check_not_reserved
from .devset_sources import KTUBERLING_PACKAGE, SDISTS, RawClip, iter_raw_clips
from .devset_summary import write_summary
from .devset_word_sources import PACKAGES as WORD_PACKAGES
from .devset_word_sources import iter_word_clips

DEFAULT_DIR = Path("data/devset")
DEFAULT_SDIST_DIR = Path("build/sdists")
DEFAULT_DEB_DIR = Path("build/debs")


def source_packages() -> list[str]:
    """The registry name of every package the dev set reads recordings from."""
    later = [p.name for p in MORE_PACKAGES + WORD_PACKAGES]
    return [name for name, _, _ in SDISTS] + [KTUBERLING_PACKAGE] + later


def _phones_to_json(phones: tuple[Phone, ...]) -> list[list]:
    return [[round(p.start_s, 4), round(p.end_s, 4), p.label] for p in phones]


def _phones_from_json(rows: list[list]) -> tuple[Phone, ...]:
    return tuple(Phone(float(s), float(e), str(label)) for s, e, label in rows)


def align_clip(raw: RawClip) -> DevClip:
    """Resample a recording to 16 kHz mono and align it to its transcript."""
    from ..corpus.align import align

    audio = prepare_samples(raw.samples, raw.sample_rate, source=raw.clip_id)
    phones = tuple(align(audio, raw.text))
    return DevClip(
        raw.clip_id,
        audio,
        phones,
        raw.text,
        raw.source,
        raw.speaker,
        raw.sex,
        raw.licence,
        raw.reference_phones,
    )


def write_clip(out_dir: Path, clip: DevClip) -> None:
    """Write one clip's WAV and JSON (each via a temporary file and a rename)."""
    import soundfile

    wav_path = out_dir / f"{clip.clip_id}.wav"
    partial = out_dir / f"{clip.clip_id}.partial.wav"
    pcm16 = np.clip(np.round(clip.audio * 32767), -32768, 32767).astype(np.int16)
    soundfile.write(str(partial), pcm16, SAMPLE_RATE, subtype="PCM_16")
    partial.replace(wav_path)
    meta = {
        "clip_id": clip.clip_id,
        "text": clip.text,
        "source": clip.source,
        "speaker": clip.speaker,
        "sex": clip.sex,
        "licence": clip.licence,
        "duration_s": round(clip.duration_s, 4),
        "phones": _phones_to_json(clip.phones),
        "reference_phones": _phones_to_json(clip.reference_phones),
    }
    json_path = out_dir / f"{clip.clip_id}.json"
    json_path.with_suffix(".partial").write_text(json.dumps(meta, indent=1) + "\n")
    json_path.with_suffix(".partial").replace(json_path)


def build_devset(
    out_dir: Path, sdist_dir: Path = DEFAULT_SDIST_DIR, deb_dir: Path = DEFAULT_DEB_DIR
) -> list[DevClip]:
    """Check that no source is reserved, then fetch, resample, align and write every dev-set
    clip, then the manifest and summary."""
    from tqdm import tqdm

    check_not_reserved(source_packages())
    out_dir.mkdir(parents=True, exist_ok=True)
    raws = list(iter_raw_clips(sdist_dir)) + list(iter_more_clips(sdist_dir, deb_dir))
    raws += list(iter_word_clips(deb_dir))
    clips = []
    for raw in tqdm(raws, desc="dev set", unit="clip"):
        clip = align_clip(raw)
        write_clip(out_dir, clip)
        clips.append(clip)
    manifest = {"sample_rate": SAMPLE_RATE, "clips": [c.clip_id for c in clips]}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    write_summary(out_dir / "summary.md", clips)
    return clips


def load_devset(devset_dir: Path = DEFAULT_DIR) -> list[DevClip]:
    """Read the dev set written by `build_devset`, in manifest order."""
    import soundfile

    manifest_path = Path(devset_dir) / "manifest.json"
    if not manifest_path.exists():
        raise CorpusError(f"{devset_dir}: no dev set here; run `make devset` first.")
    clips = []
    for clip_id in json.loads(manifest_path.read_text())["clips"]:
        meta = json.loads((Path(devset_dir) / f"{clip_id}.json").read_text())
        audio, rate = soundfile.read(str(Path(devset_dir) / f"{clip_id}.wav"), dtype="float32")
        if rate != SAMPLE_RATE:
            raise CorpusError(f"{clip_id}.wav: expected {SAMPLE_RATE} Hz, found {rate} Hz.")
        clips.append(
            DevClip(
                clip_id,
                audio,
                _phones_from_json(meta["phones"]),
                meta["text"],
                meta["source"],
                meta["speaker"],
                meta["sex"],
                meta["licence"],
                _phones_from_json(meta["reference_phones"]),
            )
        )
    return clips


def main(argv: list[str] | None = None) -> int:
    """Command line: build the dev set."""
    parser = argparse.ArgumentParser(description="Build the real-speech evaluation dev set.")
    parser.add_argument("--out", type=Path, default=DEFAULT_DIR, help="output folder")
    parser.add_argument(
        "--sdists",
        type=Path,
        default=DEFAULT_SDIST_DIR,
        help="cache folder for the downloaded source distributions",
    )
    args = parser.parse_args(argv)
    try:
        clips = build_devset(args.out, args.sdists)
    except LipSyncError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    minutes = sum(c.duration_s for c in clips) / 60
    print(f"{len(clips)} clips, {minutes:.2f} min -> {args.out} (see {args.out}/summary.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

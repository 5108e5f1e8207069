"""flite voices: audio from the `flite` program, phone timings from forced alignment.

flite prints phones without times, so every utterance is aligned with pocketsphinx (`align`).
awb, rms and slt are clustergen models of CMU ARCTIC speakers; kal is 8 kHz, kal16 16 kHz.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

import soundfile

from ...audio.prepare import SAMPLE_RATE, resample
from ...errors import CorpusError
from .align import align
from .synthesis import Synthesis

VOICES = ("kal", "kal16", "awb", "rms", "slt")


def synthesize_audio(
    text: str, voice: str = "slt", duration_stretch: float = 1.0, f0_mean_hz: float | None = None
):
    """flite audio of `text` as 16 kHz float32 (N,); stretch >1 speaks slower."""
    if voice not in VOICES:
        raise CorpusError(f"Unknown flite voice '{voice}'; known: {', '.join(VOICES)}.")
    program = shutil.which("flite")
    if program is None:
        raise CorpusError("flite is not installed; run `sudo tools/setup/install_engines.sh`.")
    with tempfile.TemporaryDirectory(prefix="flite-") as tmp:
        wav = Path(tmp) / "out.wav"
        command = [program, "-voice", voice, "--setf", f"duration_stretch={duration_stretch:.3f}"]
        if f0_mean_hz is not None:
            command += ["--setf", f"int_f0_target_mean={f0_mean_hz:.1f}"]
        command += ["-t", text, "-o", str(wav)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0 or not wav.exists():
            raise CorpusError(f"flite ({voice}) failed on '{text[:60]}': {result.stderr[-300:]}")
        samples, rate = soundfile.read(str(wav), dtype="float32")
    return resample(samples, rate, SAMPLE_RATE)


def synthesize(
    text: str, voice: str = "slt", duration_stretch: float = 1.0, f0_mean_hz: float | None = None
) -> Synthesis:
    """flite audio with phone timings from forced alignment (engine_phones is empty)."""
    audio = synthesize_audio(text, voice, duration_stretch, f0_mean_hz)
    return Synthesis(audio, align(audio, text), [])

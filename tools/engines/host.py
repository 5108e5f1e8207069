"""Reference host: play a WAV through a streaming ONNX graph as a game engine's audio callback
would, key a CSV of the weights by time, and print the latency it measured.

    python -m tools.engines.host speech.wav --onnx s_lowlat_stream.onnx --out weights.csv
    python -m tools.engines.host speech.wav --model s_lowlat --out weights.csv   # export first

The WAV is cut into callback blocks (--block-ms, 10 ms by default) at its own rate; each block
is made mono, its DC offset removed and resampled to 16 kHz (core.audio's steps and filter, as
the numpy runtime prepares audio), and every full 10 ms hop runs the graph once. A frame's
latency is the audio clock when it comes out (the samples delivered so far) minus its time: the
model's future context rounded up to the 10 ms grid (+ the resampler's look-ahead, + up to
20 ms with --fps, the ensemble smoothing). At the end the host feeds zeros for the frames still
owed, as the clip graph pads; a live engine just keeps feeding audio. docs/engines.md explains
each step.
"""

import argparse
import math
import statistics
import sys
import time
from math import gcd
from pathlib import Path

import numpy as np
import onnxruntime as ort
import soundfile as sf

from core.audio.prepare import SAMPLE_RATE, DcRemover, to_mono
from core.audio.resample import filter_taps

HOP = 160  # samples of 16 kHz audio per graph call (10 ms)
FRAME_RATE = 100.0  # the graph's frames per second
DELTA_S = 1.0 / 60.0  # ensemble smoothing offset (core.runtime.smoothing.DELTA_S)


class LowLatencyResampler:
    """The project's resampling filter (core.audio.resample.filter_taps: scipy's resample_poly)
    applied output by output as soon as an output's inputs have arrived, a look-ahead of ten
    zero crossings (0.6 ms at 48 kHz). core.audio's Resampler gives the same numbers but hands
    them over in blocks of up to half a second, fine for files, too late for a live callback."""

    def __init__(self, rate_in: int, rate_out: int = SAMPLE_RATE):
        common = gcd(rate_in, rate_out)
        self.up, self.down = rate_out // common, rate_in // common
        self.taps = filter_taps(self.up, self.down)  # float64 (2 * half + 1,)
        self.half = (len(self.taps) - 1) // 2
        self.buffer, self.start = np.zeros(0, np.float32), 0  # inputs from index `start` on
        self.n_in, self.next = 0, 0  # inputs pushed, next output

    def _outputs(self, stop: int) -> np.ndarray:
        k = np.arange(self.next, stop)[:, None]
        last = (k * self.down + self.half) // self.up  # the last input with a tap on output k
        n = last - np.arange(len(self.taps) // self.up + 1)[None, :]  # (outputs, reach)
        tap = k * self.down - n * self.up + self.half
        valid = (tap < len(self.taps)) & (n >= 0) & (n < self.n_in)  # zeros outside the signal
        x = np.where(valid, self.buffer[np.clip(n - self.start, 0, len(self.buffer) - 1)], 0.0)
        out = (x * self.taps[np.clip(tap, 0, len(self.taps) - 1)]).sum(axis=1)
        self.next = stop
        keep = max(0, -(-(stop * self.down - self.half) // self.up))  # first input still read
        self.buffer, self.start = self.buffer[keep - self.start :], keep
        return out.astype(np.float32)

    def push(self, samples: np.ndarray) -> np.ndarray:
        """Add input samples (n,); return the outputs whose inputs have all arrived (m,)."""
        self.buffer = np.concatenate([self.buffer, samples.astype(np.float32)])
        self.n_in += len(samples)
        ready = (self.n_in * self.up - 1 - self.half) // self.down + 1
        return self._outputs(max(self.next, ready))

    def finish(self) -> np.ndarray:
        """End of the signal (zeros after it): the remaining outputs, ceil(n * up / down) in all."""
        return self._outputs(max(self.next, -(-self.n_in * self.up // self.down)))


class LipSyncStream:
    """What an engine keeps per talking character: the session, its state and a 16 kHz FIFO."""

    def __init__(self, model_bytes: bytes):
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # tiny graph: one thread is fastest, leaves the rest
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(model_bytes, options, ["CPUExecutionProvider"])
        meta = self.session.get_modelmeta().custom_metadata_map
        if meta.get("form") != "streaming":
            raise ValueError("this is not a streaming graph: export it with --streaming")
        self.channels = meta["channels"].split(",")
        self.lag_frames = int(meta["lag_frames"])  # the output of hop h is frame h - lag_frames
        self.state = np.zeros((1, int(meta["state_size"])), np.float32)  # zeros: silence before
        self.fifo = np.zeros(0, np.float32)
        self.hops = 0
        self.compute_s: list[float] = []

    def push(self, samples_16k: np.ndarray) -> list[tuple[int, np.ndarray, float]]:
        """16 kHz mono samples (n,) -> (frame index, weights (K,), closure) per finished frame."""
        self.fifo = np.concatenate([self.fifo, samples_16k.astype(np.float32)])
        frames = []
        while len(self.fifo) >= HOP:
            hop, self.fifo = self.fifo[None, :HOP], self.fifo[HOP:]
            start = time.perf_counter()
            weights, closure, self.state = self.session.run(
                None, {"audio": hop, "state": self.state}
            )
            self.compute_s.append(time.perf_counter() - start)
            index = self.hops - self.lag_frames
            self.hops += 1
            if index >= 0:  # the first lag_frames outputs come before the audio's start
                frames.append((index, weights[0, 0], float(closure[0, 0])))
        return frames


class EnsembleSmoother:
    """Scene frames at `fps` from 100 fps frames pushed in order: frame k (at t = k / fps) is
    the mean of the frames' piecewise-linear curve at t - delta, t and t + delta, held flat
    before the first frame and after the last (core.runtime.smoothing, the same numbers)."""

    def __init__(self, fps: float, delta_s: float = DELTA_S):
        self.fps, self.offsets = fps, (-delta_s, 0.0, delta_s)
        self.frames: list[np.ndarray] = []
        self.next = 0  # the next scene frame

    def _value(self, k: int, last: int) -> np.ndarray:
        total = 0.0
        for offset in self.offsets:
            pos = min(max((k / self.fps + offset) * FRAME_RATE, 0.0), last)
            lower = math.floor(pos)
            frac = np.float32(pos - lower)
            upper = min(lower + 1, last)
            total = total + (1 - frac) * self.frames[lower] + frac * self.frames[upper]
        return (total / np.float32(len(self.offsets))).astype(np.float32)

    def push(self, frame: np.ndarray) -> list[tuple[int, np.ndarray]]:
        """Add the next 100 fps frame (K,); return the scene frames (k, weights) now complete."""
        self.frames.append(frame)
        last, out = len(self.frames) - 1, []
        while math.ceil((self.next / self.fps + self.offsets[-1]) * FRAME_RATE) <= last:
            out.append((self.next, self._value(self.next, last)))
            self.next += 1
        return out

    def finish(self, n_samples_16k: int) -> list[tuple[int, np.ndarray]]:
        """The scene frames left at the end of a clip of n_samples_16k samples."""
        count = max(1, math.ceil(n_samples_16k * self.fps / SAMPLE_RATE - 1e-9))
        last = len(self.frames) - 1
        out = [(k, self._value(k, last)) for k in range(self.next, count)]
        self.next = count
        return out


def callback_blocks(path: Path, block_ms: float):
    """The WAV as an engine's audio callback hands it over: (mono float32 block, rate)."""
    with sf.SoundFile(str(path)) as wav:
        block = max(1, round(wav.samplerate * block_ms / 1000))
        for data in wav.blocks(blocksize=block, dtype="float32", always_2d=True):
            yield to_mono(data), wav.samplerate


def play(path: Path, model_bytes: bytes, block_ms: float, fps: float | None) -> dict:
    """Run the WAV through the graph; return rows, latencies and compute times."""
    stream = LipSyncStream(model_bytes)
    smoother = EnsembleSmoother(fps) if fps else None
    rows, latencies_s, delivered, rate, n_16k = [], [], 0, None, 0
    dc, resampler = None, None

    def emit(frames, live: bool) -> None:
        for index, weights, closure in frames:
            keyed = [(index / FRAME_RATE, weights)]
            if smoother is not None:
                keyed = [(k / fps, w) for k, w in smoother.push(weights)]
            for time_s, values in keyed:
                rows.append((time_s, values, closure))
                if live:
                    latencies_s.append(delivered / rate - time_s)

    for block, rate in callback_blocks(path, block_ms):
        if dc is None:
            dc = DcRemover(rate)
            resampler = LowLatencyResampler(rate) if rate != SAMPLE_RATE else None
        delivered += len(block)
        samples = dc.push(block)
        samples = samples if resampler is None else resampler.push(samples)
        n_16k += len(samples)
        emit(stream.push(samples), live=True)
    tail = resampler.finish() if resampler is not None else np.zeros(0, np.float32)
    n_16k += len(tail)
    owed = math.ceil(n_16k / HOP) + stream.lag_frames  # hops that give every frame of the clip
    emit(stream.push(np.concatenate([tail, np.zeros(owed * HOP - n_16k, np.float32)])), False)
    if smoother is not None:
        rows += [(k / fps, w, math.nan) for k, w in smoother.finish(n_16k)]
    return {
        "rows": rows,
        "channels": stream.channels,
        "latency_s": latencies_s,
        "compute_s": stream.compute_s,
        "lag_frames": stream.lag_frames,
    }


def write_csv(path: Path, rows: list, channels: list[str], with_closure: bool) -> None:
    """time_s, one column per channel (and closure at 100 fps), one row per frame."""
    header = ["time_s", *channels] + (["closure"] if with_closure else [])
    lines = [",".join(header)]
    for time_s, weights, closure in rows:
        values = [f"{time_s:.6f}", *(f"{w:.6f}" for w in weights)]
        lines.append(",".join(values + ([f"{closure:.6f}"] if with_closure else [])))
    path.write_text("\n".join(lines) + "\n")


def _model_bytes(args: argparse.Namespace) -> bytes:
    if args.onnx is not None:
        return args.onnx.read_bytes()
    from core.engines.export import onnx_model

    return onnx_model(args.model, streaming=True).SerializeToString()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wav", type=Path, help="speech audio, any rate and channels")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--onnx", type=Path, help="a streaming graph (export-onnx --streaming)")
    source.add_argument("--model", help="a student name or .npz, exported here first")
    parser.add_argument("--out", type=Path, required=True, help="CSV of weights keyed by time")
    parser.add_argument("--block-ms", type=float, default=10.0, help="audio callback block")
    parser.add_argument(
        "--fps",
        type=float,
        default=None,
        help="scene rate, ensemble-smoothed (default: raw 100 fps)",
    )
    args = parser.parse_args(argv)
    result = play(args.wav, _model_bytes(args), args.block_ms, args.fps)
    write_csv(args.out, result["rows"], result["channels"], with_closure=args.fps is None)
    latency_ms = [s * 1000 for s in result["latency_s"]]
    compute_us = sorted(s * 1e6 for s in result["compute_s"])
    print(f"{len(result['rows'])} frames x {len(result['channels'])} channels -> {args.out}")
    print(
        f"latency: {min(latency_ms):.1f} to {max(latency_ms):.1f} ms "
        f"(mean {statistics.fmean(latency_ms):.1f}) from a sample's arrival to its frame; "
        f"the graph lags {result['lag_frames']} hops"
    )
    print(
        f"compute: {statistics.median(compute_us):.0f} us per 10 ms hop (median of "
        f"{len(compute_us)}, p99 {compute_us[int(0.99 * (len(compute_us) - 1))]:.0f} us), "
        "one thread"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Reference clips and their pirated copies, made with ffmpeg from the corpus: every transform the issue
names, with the segment of the reference each copy shows."""

from __future__ import annotations

import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FFMPEG = ["ffmpeg", "-v", "error", "-y"]
X264 = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "26", "-c:a", "aac", "-b:a", "96k"]


@dataclass(frozen=True)
class Copy:
    name: str
    file: str
    reference_start: float  # seconds of the reference the copy starts at
    reference_end: float
    query_start: float = 0.0
    speed: float = 1.0

    @property
    def query_end(self) -> float:
        return self.query_start + (self.reference_end - self.reference_start) / self.speed


def run(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*FFMPEG, *args], stderr=subprocess.PIPE)


def reference_clip(corpus: Path, out: Path, *, start: float = 0.0, seconds: float = 24.0) -> Path:
    """A 640×360 stretch of Big Buck Bunny, with its sound: the registered work."""
    source = corpus / "bbb_0_30.webm"
    args = ["-ss", str(start), "-i", str(source), "-t", str(seconds), "-vf", "scale=640:360", *X264, str(out)]
    process = run(args)
    _wait([process])
    return out


def _noisy_audio(clip: Path, folder: Path, start: float, seconds: float) -> Path:
    """The clip's sound alone, with white noise at 10 dB SNR, re-encoded at 64 kbit/s."""
    clean = folder / "clean.wav"
    _wait([run(["-ss", str(start), "-i", str(clip), "-t", str(seconds), "-vn", "-ac", "1", "-ar", "22050",
                str(clean)])])  # fmt: skip
    with wave.open(str(clean)) as handle:
        samples = np.frombuffer(handle.readframes(handle.getnframes()), np.int16).astype(np.float64)
    power = float(np.mean(samples**2))
    noise = np.random.default_rng(7).normal(0.0, np.sqrt(power / 10.0), samples.size)  # 10 dB below
    noisy = folder / "noisy.wav"
    with wave.open(str(noisy), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(22050)
        handle.writeframes(np.clip(samples + noise, -32768, 32767).astype(np.int16).tobytes())
    out = folder / "audio_noisy_64k.m4a"
    _wait([run(["-i", str(noisy), "-c:a", "aac", "-b:a", "64k", str(out)])])
    return out


def make_copies(reference: Path, corpus: Path, folder: Path) -> list[Copy]:
    """Every transform of the issue applied to a stretch of ``reference`` (24 s long)."""
    ref = str(reference)
    other = str(corpus / "person.mp4")
    jobs = {
        "reencode_360p": (["-ss", "2", "-i", ref, "-t", "12", "-vf", "scale=-2:240", "-c:v", "libx264",
                           "-preset", "ultrafast", "-b:v", "150k", "-c:a", "aac", "-b:a", "48k"], 2, 14),
        "excerpt_10s": (["-ss", "11", "-i", ref, "-t", "10", *X264], 11, 21),
        "letterbox_logo": (["-ss", "3", "-i", ref, "-t", "12", "-vf",
                            "scale=480:270,pad=480:360:0:45:black,"
                            "drawbox=x=380:y=60:w=70:h=30:color=white@0.9:t=fill", *X264], 3, 15),
        "pillarbox_logo": (["-ss", "3", "-i", ref, "-t", "12", "-vf",
                            "crop=480:360,pad=640:360:80:0:black,"
                            "drawbox=x=100:y=20:w=60:h=24:color=yellow@0.9:t=fill", *X264], 3, 15),
        "crop_gamma": (["-ss", "5", "-i", ref, "-t", "12", "-vf",
                        "crop=iw*0.68:ih*0.7:iw*0.2:ih*0.12,scale=640:360,eq=gamma=1.5:brightness=0.06",
                        *X264], 5, 17),
        "mirror": (["-ss", "8", "-i", ref, "-t", "12", "-vf", "hflip", *X264], 8, 20),
        "speed_1.05": (["-ss", "4", "-i", ref, "-t", "11.4", "-filter_complex",
                        "[0:v]setpts=PTS/1.05[v];[0:a]asetrate=44100*1.05,aresample=44100[a]",
                        "-map", "[v]", "-map", "[a]", *X264], 4, 16),
        "speed_0.95": (["-ss", "4", "-i", ref, "-t", "11.4", "-filter_complex",
                        "[0:v]setpts=PTS/0.95[v];[0:a]atempo=0.95[a]", "-map", "[v]", "-map", "[a]", *X264],
                       4, 14.83),
        "pip_0.5_corner": (["-stream_loop", "-1", "-i", other, "-ss", "2", "-i", ref, "-t", "12",
                            "-filter_complex", "[0:v]scale=640:360,fps=24[bg];[1:v]scale=320:180[fg];"
                            "[bg][fg]overlay=W-w-24:H-h-20[v]", "-map", "[v]", "-map", "1:a", *X264], 2, 14),
        "pip_0.9_centre": (["-stream_loop", "-1", "-i", other, "-ss", "6", "-i", ref, "-t", "12",
                            "-filter_complex", "[0:v]scale=640:360,fps=24[bg];[1:v]scale=576:324[fg];"
                            "[bg][fg]overlay=(W-w)/2:(H-h)/2[v]", "-map", "[v]", "-map", "1:a", *X264], 6, 18),
    }  # fmt: skip
    speeds = {"speed_1.05": 1.05, "speed_0.95": 0.95}
    processes = []
    copies = []
    for name, (args, start, end) in jobs.items():
        out = folder / f"{name}.mp4"
        processes.append(run([*args, str(out)]))
        copies.append(Copy(name, str(out), start, end, speed=speeds.get(name, 1.0)))
    _wait(processes)
    copies.append(Copy("audio_64k_noise", str(_noisy_audio(reference, folder, 9, 12)), 9, 21))
    return copies


def make_negatives(corpus: Path, folder: Path) -> list[Path]:
    """An unregistered clip, a test pattern, black and silence."""
    out = {name: folder / name for name in ("unregistered.mp4", "pattern.mp4", "black.mp4", "silence.m4a")}
    _wait([
        run(["-i", str(corpus / "person.mp4"), "-t", "12", "-vf", "scale=640:-2", "-an", *X264,
             str(out["unregistered.mp4"])]),
        run(["-ss", "1", "-i", str(corpus / "smpte_1080p.mp4"), "-t", "8", "-vf", "scale=640:360", *X264,
             str(out["pattern.mp4"])]),
        run(["-f", "lavfi", "-i", "color=black:s=640x360:d=8:r=24", "-f", "lavfi", "-i",
             "anullsrc=r=44100:cl=stereo", "-t", "8", *X264, str(out["black.mp4"])]),
        run(["-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo", "-t", "8", "-c:a", "aac",
             str(out["silence.m4a"])]),
    ])  # fmt: skip
    return list(out.values())


def _wait(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        _out, err = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"ffmpeg failed: {err.decode(errors='replace')[-500:]}")


def iou(a: tuple[float, float], b: tuple[float, float]) -> float:
    overlap = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return overlap / union if union > 0 else 0.0

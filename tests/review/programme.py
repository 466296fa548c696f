"""A programme with technical and content faults at known times, made with FFmpeg's lavfi sources, and a
clean one. The times below are what the report must say."""

from __future__ import annotations

import subprocess
from pathlib import Path

SIZE = "320x180"
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
CAPTION = "现金网上赌博"  # burned in at 22–26 s
SUBTITLE = "這裡可以網上賭博"  # traditional characters, a subtitle at 27–29 s
DURATION = 30.0
NO_CLOCK = "drawbox=x=0:y=0:w=108:h=40:color=gray:t=fill"  # over testsrc2's clock, at 320×180

# (kind, start, end) of every fault
FAULTS = [
    ("true_peak", 2.0, 4.0),  # audio +23 dB for 2 s
    ("black", 4.0, 6.4),
    ("freeze", 10.0, 13.0),
    ("flash", 15.0, 17.0),  # full screen at 12 Hz
    ("silence", 18.0, 21.0),
]
SLOW_CHANGE = (17.0, 22.0)  # 1 Hz brightness change: must not be flagged


def _run(arguments: list[str]) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *arguments], check=True)


def faulty(folder: Path) -> Path:
    """30 s, 320×180 at 25 fps, stereo 1 kHz tone at −24 dBFS (−24 LUFS) with the faults of FAULTS, the
    caption and an embedded subtitle stream."""
    srt = folder / "faulty.srt"
    srt.write_text(f"1\n00:00:27,000 --> 00:00:29,000\n{SUBTITLE}\n", encoding="utf-8")
    # testsrc2 with its clock covered: the OCR step would read its changing digits every half second
    # (half the analysis time), and they are not what is checked
    source = f"testsrc2=s={SIZE}:r=25"
    cover = f",{NO_CLOCK}"
    video = (
        f"{source}:d=4{cover}[a];color=black:s={SIZE}:r=25:d=2.4[b];{source}:d=3.6{cover}[c];"
        f"{source}:d=1{cover},trim=start_frame=20:end_frame=21,setpts=PTS-STARTPTS,loop=loop=74:size=1:start=0[d];"
        f"{source}:d=2{cover}[e];"
        f"color=gray:s={SIZE}:r=25:d=2,format=yuv420p,geq=lum='if(lt(mod(T*24\\,2)\\,1)\\,235\\,16)':cb=128:cr=128[f];"
        f"color=gray:s={SIZE}:r=25:d=5,format=yuv420p,geq=lum='128+100*sin(2*PI*T)':cb=128:cr=128[g];"
        f"{source}:d=8{cover},drawtext=fontfile={FONT}:text='{CAPTION}':fontsize=28:fontcolor=white:box=1:"
        f"boxcolor=black:x=(w-tw)/2:y=h-50:enable='lt(t\\,4)'[h];"
        "[a][b][c][d][e][f][g][h]concat=n=8:v=1:a=0,format=yuv420p[v]"
    )
    audio = (
        "aevalsrc='0.0631*sin(2*PI*1000*t)*if(between(t\\,2\\,4)\\,14.1\\,1)*(1-between(t\\,18\\,21))"
        f"|0.0631*sin(2*PI*1000*t)*if(between(t\\,2\\,4)\\,14.1\\,1)*(1-between(t\\,18\\,21))':s=48000:d={DURATION}[s]"
    )
    out = folder / "faulty.mp4"
    _run(["-filter_complex", f"{video};{audio}", "-i", str(srt), "-map", "[v]", "-map", "[s]", "-map", "0:s",
          "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "aac", "-b:a", "192k",
          "-c:s", "mov_text", "-metadata:s:s:0", "language=chi", str(out)])  # fmt: skip
    return out


def clean(folder: Path) -> Path:
    """5 s of moving test picture with a steady −24 LUFS stereo tone (long enough for every measure: the
    loudness range's 3 s windows included; each second more is half a second of OCR in the analysis)."""
    out = folder / "clean.mp4"
    _run(["-f", "lavfi", "-i", f"testsrc2=s={SIZE}:r=25:d=5,{NO_CLOCK}", "-f", "lavfi", "-i",
          "aevalsrc='0.0631*sin(2*PI*1000*t)|0.0631*sin(2*PI*1000*t)':s=48000:d=5",
          "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-b:a", "192k", str(out)])  # fmt: skip
    return out


STILL_STRIPES = (2.0, 3.5)  # 8 pairs of vertical stripes held still over the whole screen (not 2 s: a freeze)


def still_stripes(folder: Path) -> Path:
    """The clean programme with 1.5 s of still stripes in its middle: a warning, and it passes."""
    source = f"testsrc2=s={SIZE}:r=25"
    stripes = f"color=gray:s={SIZE}:r=25:d=1.5,format=yuv420p,geq=lum='if(lt(mod(X/20\\,2)\\,1)\\,235\\,16)':cb=128:cr=128"
    video = f"{source}:d=2,{NO_CLOCK}[a];{stripes}[b];{source}:d=1.5,{NO_CLOCK}[c];[a][b][c]concat=n=3:v=1:a=0,format=yuv420p[v]"
    out = folder / "still-stripes.mp4"
    _run(["-filter_complex", video, "-f", "lavfi", "-i",
          "aevalsrc='0.0631*sin(2*PI*1000*t)|0.0631*sin(2*PI*1000*t)':s=48000:d=5", "-map", "[v]", "-map", "0:a",
          "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-b:a", "192k", str(out)])  # fmt: skip
    return out

// The asset page's player: anything with data-seek="SECONDS" plays from there; ?t=SECONDS in the address
// (a search hit) starts there; a click on the waveform plays from that point.
(function () {
  const player = document.getElementById("player");
  if (!player) return;
  const clock = document.getElementById("player-time");
  const pad = (n) => String(Math.floor(n)).padStart(2, "0");
  const show = (t) => (t >= 3600 ? Math.floor(t / 3600) + ":" : "") + pad((t % 3600) / 60) + ":" + pad(t % 60);
  function seek(seconds) {
    const go = () => { player.currentTime = seconds; player.play().catch(() => {}); };
    if (player.readyState >= 1) go(); else player.addEventListener("loadedmetadata", go, { once: true });
    player.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }
  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-seek]");
    if (target) { event.preventDefault(); seek(parseFloat(target.dataset.seek)); return; }
    const wave = event.target.closest("[data-seek-waveform]");
    if (wave) {
      const box = wave.getBoundingClientRect();
      seek(((event.clientX - box.left) / box.width) * parseFloat(wave.dataset.seekWaveform));
    }
  });
  player.addEventListener("timeupdate", () => {
    if (clock) clock.textContent = show(player.currentTime);
    document.querySelectorAll(".segment-list [data-seek]").forEach((button) => {
      const item = button.closest("li");
      const [start, end] = [parseFloat(button.dataset.seek), parseFloat(button.dataset.end || button.dataset.seek)];
      item.classList.toggle("playing", player.currentTime >= start && player.currentTime < end);
    });
  });
  if (player.dataset.start) seek(parseFloat(player.dataset.start));

  // Search by the frame on screen: draw it, hand it to the picture search form as a file.
  const frameForm = document.getElementById("frame-search");
  if (frameForm) {
    frameForm.querySelector("button").addEventListener("click", () => {
      const canvas = document.createElement("canvas");
      canvas.width = player.videoWidth;
      canvas.height = player.videoHeight;
      canvas.getContext("2d").drawImage(player, 0, 0);
      canvas.toBlob((blob) => {
        const files = new DataTransfer();
        files.items.add(new File([blob], "frame.jpg", { type: "image/jpeg" }));
        frameForm.querySelector("input[type=file]").files = files.files;
        frameForm.submit();
      }, "image/jpeg", 0.9);
    });
  }
})();

// The joint review page: "use the player's time" copies the player's current time into the comment form.
// Seeking from a timecode is media.js's (anything with data-seek).
(function () {
  const button = document.getElementById("use-player-time");
  const player = document.getElementById("player");
  if (!button) return;
  if (!player) { button.hidden = true; return; }
  button.addEventListener("click", () => {
    document.getElementById("f-seconds").value = player.currentTime.toFixed(3);
  });
})();

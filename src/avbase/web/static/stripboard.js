// The stripboard: drag a strip into a shooting day (or back among the unscheduled ones). Each drop posts
// the move to the server and reloads, so the day totals and the call sheets follow. Without JavaScript the
// "Move a strip" form below the board does the same.
(function () {
  const board = document.getElementById("stripboard");
  if (!board) return;
  let dragged = null;
  board.addEventListener("dragstart", (event) => {
    const strip = event.target.closest(".strip[draggable=true]");
    if (!strip) return;
    dragged = strip;
    strip.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", strip.dataset.sceneId);
  });
  board.addEventListener("dragend", () => { if (dragged) dragged.classList.remove("dragging"); dragged = null; });
  function placeBefore(list, y) {
    const strips = [...list.querySelectorAll(".strip:not(.dragging)")];
    return strips.find((strip) => { const box = strip.getBoundingClientRect(); return y < box.top + box.height / 2; });
  }
  board.addEventListener("dragover", (event) => {
    const list = event.target.closest(".strip-list");
    if (!list || !dragged) return;
    event.preventDefault();
    const before = placeBefore(list, event.clientY);
    if (before) list.insertBefore(dragged, before); else list.appendChild(dragged);
  });
  board.addEventListener("drop", (event) => {
    const list = event.target.closest(".strip-list");
    if (!list || !dragged) return;
    event.preventDefault();
    const position = [...list.querySelectorAll(".strip")].indexOf(dragged);
    const body = new URLSearchParams({
      scene_id: dragged.dataset.sceneId, day_id: list.dataset.dayId, position: String(position),
      csrf_token: board.dataset.csrf,
    });
    fetch(board.dataset.moveUrl, {
      method: "POST", body, credentials: "same-origin",
      headers: { "X-CSRF-Token": board.dataset.csrf, "X-Requested-With": "fetch" },
    }).then((response) => {
      if (!response.ok) alert(response.statusText);
      window.location.reload();
    });
  });
})();

// The side-by-side player of a suspected copy: playing or seeking one video moves the other to the same
// moment of the match (reference = referenceStart + (query - queryStart) × speed).
(function () {
  "use strict";
  var box = document.getElementById("side-by-side");
  if (!box) return;
  var reference = document.getElementById("reference-player");
  var suspect = document.getElementById("suspect-player");
  var refStart = parseFloat(box.dataset.referenceStart) || 0;
  var queryStart = parseFloat(box.dataset.queryStart) || 0;
  var speed = parseFloat(box.dataset.speed) || 1;
  var syncing = false;
  function follow(leader, follower, toFollower) {
    leader.addEventListener("seeked", function () {
      if (syncing) return;
      syncing = true;
      follower.currentTime = Math.max(0, toFollower(leader.currentTime));
      setTimeout(function () { syncing = false; }, 50);
    });
    leader.addEventListener("play", function () { if (follower.paused) follower.play(); });
    leader.addEventListener("pause", function () { if (!follower.paused) follower.pause(); });
  }
  follow(suspect, reference, function (t) { return refStart + (t - queryStart) * speed; });
  follow(reference, suspect, function (t) { return queryStart + (t - refStart) / speed; });
})();

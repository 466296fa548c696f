// Behaviour every page shares. Pages carry no inline script (the Content-Security-Policy forbids it):
// a form with data-confirm="question" asks before it is sent, and so does a submit button with its own
// data-confirm (one of several buttons, e.g. "Reject"); a form with data-inert is never sent (the patterns
// page shows forms as examples).
document.addEventListener(
  "submit",
  (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const submitter = event.submitter;
    const question = (submitter && submitter.dataset && submitter.dataset.confirm) || form.dataset.confirm;
    if (form.hasAttribute("data-inert") || (question && !window.confirm(question))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true,
);

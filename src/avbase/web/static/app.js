// Behaviour every page shares. Pages carry no inline script (the Content-Security-Policy forbids it):
// a form with data-confirm="question" asks before it is sent; a form with data-inert is never sent (the
// patterns page shows forms as examples).
document.addEventListener(
  "submit",
  (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.hasAttribute("data-inert") || (form.dataset.confirm && !window.confirm(form.dataset.confirm))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true,
);

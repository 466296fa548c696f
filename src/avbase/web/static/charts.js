// Charts: each .chart element carries its Plotly figure as JSON in data-figure; this draws them all.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".chart[data-figure]").forEach((el) => {
    const figure = JSON.parse(el.dataset.figure);
    Plotly.newPlot(el, figure.data, figure.layout, { displaylogo: false, responsive: true });
  });
});

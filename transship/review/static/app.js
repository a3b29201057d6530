// Progressive enhancement only: every page works without script.
document.addEventListener("DOMContentLoaded", () => {
  for (const toggle of document.querySelectorAll("[data-select-all]")) {
    const name = toggle.dataset.selectAll;
    toggle.addEventListener("change", () => {
      for (const box of toggle.form.querySelectorAll(`input[name="${name}"]`)) {
        box.checked = toggle.checked;
      }
    });
  }
  const bulk = document.getElementById("bulk");
  if (bulk) {
    bulk.addEventListener("submit", (event) => {
      const chosen = bulk.querySelectorAll('input[name="flag_id"]:checked').length;
      const action = bulk.querySelector('select[name="action"]').value;
      if (chosen === 0 || !window.confirm(`Record "${action}" for ${chosen} flag(s)?`)) {
        event.preventDefault();
      }
    });
  }
});

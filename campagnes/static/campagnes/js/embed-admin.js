// "Intégrer sur votre site" (admin): a button copies the snippet of its text area; a status
// line says it was copied (or how to copy by hand when the browser refuses).
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var area = document.getElementById(button.dataset.copyTarget);
    var status = document.getElementById(button.dataset.copyStatus);
    if (!area) { return; }
    function done(ok) {
      if (status) {
        status.textContent = ok ? button.dataset.copiedText : button.dataset.failedText;
      }
    }
    button.addEventListener("click", function () {
      area.focus();
      area.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(area.value).then(function () { done(true); }, function () {
          done(document.execCommand && document.execCommand("copy"));
        });
        return;
      }
      done(document.execCommand && document.execCommand("copy"));
    });
  });
}());

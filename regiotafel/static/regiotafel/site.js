/* Behaviour that would otherwise be inline script (the Content-Security-Policy forbids it).
 *
 * <form data-confirm="Question?">: the browser asks the question before the form is sent.
 */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.dataset ? form.dataset.confirm : null;
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();

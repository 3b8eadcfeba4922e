/* Behaviour that would otherwise be inline script (the Content-Security-Policy forbids it).
 *
 * <form data-confirm="Question?">: the browser asks the question before the form is sent.
 * <button type="submit" data-confirm="Question?">: asked only when that button sends it.
 */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.dataset ? form.dataset.confirm : null;
    // <button data-confirm="…">: only that button asks (e.g. not a form's "refresh" button).
    var submitter = event.submitter;
    if (submitter && submitter.dataset && submitter.dataset.confirm) {
      question = submitter.dataset.confirm;
    }
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();

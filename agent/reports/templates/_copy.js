document.querySelectorAll("button[data-copy]").forEach(function (b) {
  var pre = document.getElementById(b.getAttribute("data-copy"));
  if (!pre) { return; }
  b.hidden = false;
  b.addEventListener("click", function () {
    var range = document.createRange();
    range.selectNodeContents(pre);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    b.textContent = "Selected: press Ctrl+C";
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(pre.textContent).then(function () { b.textContent = "Copied"; });
    }
  });
});

// sphinx-kwindex: a button beside each test's node id copies it, so that
// `pytest <node id>` is a paste away.
document.addEventListener("DOMContentLoaded", () => {
  const say = (text) =>
    (window.Documentation && Documentation.gettext) ? Documentation.gettext(text) : text;
  for (const code of document.querySelectorAll(".kwindex-kind-tests code.kwindex-qualname")) {
    const line = document.createElement("span");
    line.className = "kwindex-nodeid";
    code.replaceWith(line);
    line.append(code);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "kwindex-copy";
    button.textContent = say("copy");
    button.title = say("Copy the node id");
    const copied = () => {
      button.textContent = say("copied");
      setTimeout(() => { button.textContent = say("copy"); }, 1500);
    };
    button.addEventListener("click", () => {
      if (navigator.clipboard) {  // https and localhost only
        navigator.clipboard.writeText(code.textContent).then(copied);
        return;
      }
      const area = document.createElement("textarea");
      area.value = code.textContent;
      document.body.append(area);
      area.select();
      if (document.execCommand("copy")) copied();
      area.remove();
    });
    line.append(" ", button);
  }
});

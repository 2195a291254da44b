// A stand-in for Google's FormApp: runs a cxkit Apps Script under node and prints, as JSON, the forms
// it built (items in order, with what the script set on them). Used by tests/test_gforms.py.
"use strict";
const fs = require("fs");
const vm = require("vm");

const forms = [];
function recorder(kind, form) {
  const item = { kind: kind };
  form.items.push(item);
  const set = (key) => function (...args) { item[key] = args.length === 1 ? args[0] : args; return proxy; };
  const proxy = new Proxy({}, {
    get: (_, name) => {
      if (typeof name !== "string" || !name.startsWith("set") && !name.startsWith("show")) {
        throw new Error(kind + " has no method " + String(name));
      }
      return set(name.slice(3, 4).toLowerCase() + name.slice(4));
    },
  });
  return proxy;
}
const FormApp = {
  create(title) {
    const form = { title: title, items: [], settings: {} };
    forms.push(form);
    const api = {
      getEditUrl: () => "https://example.invalid/edit",
      getPublishedUrl: () => "https://example.invalid/view",
    };
    for (const m of ["setDescription", "setProgressBar", "setCollectEmail", "setConfirmationMessage"]) {
      api[m] = (v) => { form.settings[m] = v; return api; };
    }
    for (const [m, kind] of [["addSectionHeaderItem", "section"], ["addPageBreakItem", "page"],
      ["addGridItem", "grid"], ["addScaleItem", "scale"], ["addMultipleChoiceItem", "choice"],
      ["addCheckboxItem", "checkbox"], ["addParagraphTextItem", "paragraph"]]) {
      api[m] = () => recorder(kind, form);
    }
    return api;
  },
};
const context = { FormApp: FormApp, Logger: { log: () => {} } };
vm.createContext(context);
vm.runInContext(fs.readFileSync(process.argv[2], "utf8") + "\nbuildForms();", context);
process.stdout.write(JSON.stringify(forms));

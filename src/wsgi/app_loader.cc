// SPDX-License-Identifier: MIT
#include "wsgi/app_loader.h"

#include "python/interpreter.h"

namespace bastion::wsgi {
namespace {

// Runs inside the worker's interpreter. Raises _LoadError(code, message) for the failures
// that have their own exit status; anything else raised is the application's own exception.
constexpr const char* kLoaderSource = R"PY(
import ast, importlib, os, sys

class _LoadError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code

def _resolve(module, expr, spec):
    try:
        node = ast.parse(expr, mode="eval").body
    except SyntaxError:
        raise _LoadError(6, "failed to parse %r as an attribute name or function call" % expr)
    call = None
    if isinstance(node, ast.Call):
        call, node = node, node.func
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        raise _LoadError(6, "%r is not an attribute name or a function call" % expr)
    names.append(node.id)
    obj = module
    for name in reversed(names):
        try:
            obj = getattr(obj, name)
        except AttributeError:
            raise _LoadError(6, "failed to find attribute %r in %r" % (".".join(reversed(names)), module.__name__))
    if call is not None:
        try:
            args = [ast.literal_eval(a) for a in call.args]
            kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
        except ValueError:
            raise _LoadError(6, "factory arguments in %r must be literal values" % expr)
        if not callable(obj):
            raise _LoadError(7, "%r in %r is not callable" % (".".join(reversed(names)), module.__name__))
        obj = obj(*args, **kwargs)
        if obj is None:
            raise _LoadError(7, "factory %r returned None, not a WSGI application" % expr)
    return obj

def load(spec):
    module_name, _, expr = spec.partition(":")
    module_name = module_name.strip()
    expr = expr.strip()
    if not module_name:
        raise _LoadError(6, "empty module name in %r (expected MODULE:APP)" % spec)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        missing = e.name or module_name
        if module_name == missing or module_name.startswith(missing + "."):
            hint = ""
            if module_name.endswith(".py"):
                hint = " (did you mean %r?)" % module_name[:-3].replace(os.sep, ".")
            raise _LoadError(5, "no module named %r%s" % (module_name, hint))
        raise
    if expr:
        app = _resolve(module, expr, spec)
    else:
        for name in ("application", "app"):
            if hasattr(module, name):
                app = getattr(module, name)
                break
        else:
            raise _LoadError(6, "module %r has neither 'application' nor 'app'; name it as %s:NAME" % (module_name, module_name))
    if not callable(app):
        raise _LoadError(7, "application object %r is not callable (got %s)" % (spec, type(app).__name__))
    return app
)PY";

}  // namespace

py::PyRef load_app(const std::string& uri, LoadFailure* failure) {
  BASTION_ASSERT_GIL_HELD();
  py::PyRef globals = py::PyRef::steal(PyDict_New());
  PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins());
  PyDict_SetItemString(globals.get(), "__name__", py::PyRef::steal(PyUnicode_FromString("_bastion_loader")).get());
  py::PyRef ran = py::PyRef::steal(PyRun_String(kLoaderSource, Py_file_input, globals.get(), globals.get()));
  if (!ran) {
    failure->exit_code = base::kExitWorkerBoot;
    failure->message = "internal loader failed";
    failure->traceback = py::Interpreter::format_exception();
    return {};
  }
  PyObject* load = PyDict_GetItemString(globals.get(), "load");  // borrowed
  PyObject* load_error = PyDict_GetItemString(globals.get(), "_LoadError");  // borrowed
  py::PyRef app = py::PyRef::steal(PyObject_CallFunction(load, "s", uri.c_str()));
  if (app) return app;
  if (PyErr_ExceptionMatches(load_error)) {
    PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    py::PyRef t = py::PyRef::steal(type), v = py::PyRef::steal(value), trace = py::PyRef::steal(tb);
    py::PyRef code = py::PyRef::steal(PyObject_GetAttrString(v.get(), "code"));
    py::PyRef text = py::PyRef::steal(PyObject_Str(v.get()));
    failure->exit_code = code ? static_cast<int>(PyLong_AsLong(code.get())) : base::kExitAppAttribute;
    const char* utf8 = text ? PyUnicode_AsUTF8(text.get()) : nullptr;
    failure->message = utf8 != nullptr ? utf8 : "cannot load the application";
    PyErr_Clear();
    return {};
  }
  failure->exit_code = base::kExitAppRaised;
  failure->traceback = py::Interpreter::format_exception();
  failure->message = "importing the application '" + uri + "' raised an exception";
  return {};
}

}  // namespace bastion::wsgi

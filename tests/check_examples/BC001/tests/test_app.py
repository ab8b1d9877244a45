from bad_debug_true import app


def test_debug():
    app.run(debug=True)

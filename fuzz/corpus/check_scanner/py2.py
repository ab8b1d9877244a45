print "py2"
except Exception, e:
	app.run(debug=True)

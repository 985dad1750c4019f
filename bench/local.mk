# bench: rules come with the area's work.

echo amanda-todo

Console.Error.WriteLine("aecofa: no commands yet.");
return 1;

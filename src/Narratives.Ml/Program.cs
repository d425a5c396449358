// The classifier's command line (train, evaluate, cross-validate, predict) is built with the classifier itself.
Console.Error.WriteLine("Narratives classifier: no commands yet. The train, evaluate, cross-validate and predict commands arrive with the classifier.");
return 2;

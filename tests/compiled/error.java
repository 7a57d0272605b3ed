// A compile error: a String where an int belongs.
public class Main {
        public static void main(String[] args) {
                int x = "not a number";
                System.out.println(x);
        }
}
